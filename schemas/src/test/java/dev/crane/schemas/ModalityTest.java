package dev.crane.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModalityTest {

  @Test
  void parsesTheCliSpec() {
    List<Modality> l = Modality.parseList(" visual:4096 , text:384");
    assertThat(l).containsExactly(new Modality("visual", 4096), new Modality("text", 384));
    assertThat(Modality.format(l)).isEqualTo("visual:4096,text:384");
    assertThat(Modality.toMap(l).keySet()).containsExactly("visual", "text");
    assertThat(Modality.parseList("image:128")).containsExactly(new Modality("image", 128));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "''|empty modality list",
      "visual|must look like name:dim",
      "visual:4096,|entry '' must look like name:dim",
      "visual:big|dimension 'big' is not an integer",
      "visual:0|dimension must be > 0",
      "visual:-3|dimension must be > 0",
      ":12|modality name ''",
      "a b:3|modality name 'a b'",
      "visual:1:2|must look like name:dim",
      "text:3,text:4|listed twice",
  })
  void rejectsBadSpecsWithAMessageNamingTheEntry(String spec, String message) {
    assertThatThrownBy(() -> Modality.parseList(spec))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }
}
