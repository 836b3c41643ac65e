# Regenerates the .npy test fixtures in this directory (numpy 2.4.6 was used).
# The tests do not need Python: the files are committed and the expected values are hard-coded.
#   python3 make_fixtures.py
import numpy as np
from numpy.lib import format as npf

def save(name, arr, version=None):
    with open(name, "wb") as f:
        if version is None:
            np.save(f, arr)
        else:
            npf.write_array(f, arr, version=version)

# float16: normals, the extremes and two subnormals (2^-24 and 1023 * 2^-24), signed zero
f16 = np.array([[1.0, -2.5, 0.333251953125, 65504.0],
                [2.0**-24, -0.0, 6.097555160522461e-05, 6.103515625e-05],
                [-65504.0, 0.1, 1000.5, -3.0e-7]], dtype=np.float16)
save("f16_3x4.npy", f16)
# float64 values that round when cast to float32
f64 = np.array([[0.1, 1.0 / 3.0, -2.5, 123456789.123],
                [1e-50, -1e-40, 3.4e38, 0.0],
                [np.pi, -np.e, 1e10, 7.0]], dtype=np.float64)
save("f64_3x4.npy", f64)
f32 = np.arange(12, dtype=np.float32).reshape(3, 4) / 8 - 0.5
save("f32_3x4.npy", f32)                       # also the byte-exact reference for the writer
save("f32_3x4_v2.npy", f32, version=(2, 0))
save("f32_3x4_v3.npy", f32, version=(3, 0))
save("f32_3x4_be.npy", f32.astype(">f4"))
save("f32_3x4_fortran.npy", np.asfortranarray(f32))
save("f32_1d.npy", np.arange(5, dtype=np.float32))
save("i32_3x4.npy", np.arange(12, dtype=np.int32).reshape(3, 4))
save("f32_0x7.npy", np.zeros((0, 7), dtype=np.float32))
save("f32_1000x3.npy", (np.arange(3000, dtype=np.float32).reshape(1000, 3) * 0.25))  # writer reference, 4-digit rows
# float16 specials, 1 x 8: +inf, -inf, nan, max, min normal, min subnormal, -0, 1
save("f16_specials.npy", np.array([[np.inf, -np.inf, np.nan, 65504.0, 6.103515625e-05, 2.0**-24, -0.0, 1.0]], dtype=np.float16))
