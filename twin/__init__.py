"""AI Factory Floor Twin: a digital twin of an AI data hall (racks, air, liquid, power)."""

import os as _os

# The solvers are sparse and single-threaded by design (2-core laptops, a GUI thread to
# keep responsive); a threaded BLAS only adds contention (measured 12 s vs 0.9 s for one
# hall solve). Respect explicit user settings.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    _os.environ.setdefault(_var, "1")

__version__ = "0.1.0"
