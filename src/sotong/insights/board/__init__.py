"""상황판 (situation board): rollup tables kept by the worker (`rollup`) and the board's reads (`read`)."""
