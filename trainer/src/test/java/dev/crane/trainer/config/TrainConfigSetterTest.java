package dev.crane.trainer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TrainConfigSetterTest {
  @Test
  void setAssignsTypedFieldsAndRejectsUnknownOrUnparsable() {
    TrainConfig c = TrainConfig.forModel("crane");
    TrainConfigSetter.set(c, "tau=0.5");
    TrainConfigSetter.set(c, "noGcn=true");
    TrainConfigSetter.set(c, "attentionAxis=MODALITIES");
    assertThat(c.tau).isEqualTo(0.5f);
    assertThat(c.noGcn).isTrue();
    assertThat(c.attentionAxis).isEqualTo("MODALITIES");
    assertThatThrownBy(() -> TrainConfigSetter.set(c, "temperature=1")).hasMessageContaining("unknown setting");
    assertThatThrownBy(() -> TrainConfigSetter.set(c, "tau=abc")).hasMessageContaining("cannot parse");
    assertThatThrownBy(() -> TrainConfigSetter.set(c, "noGcn=yes")).hasMessageContaining("cannot parse");
  }
}
