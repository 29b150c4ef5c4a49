"""Runs a wasm32-wasip1 command under wasmtime (the PyPI package) with its
stdout written to a file, and prints the milliseconds the run took (from
instantiation to the end of _start), wall-clock and CPU, as JSON: the
reference figures of bench/output_throughput.ts.

  python3 bench/_wasmtime_run.py MODULE.wasm STDOUT_FILE ARGS...

Exits 3 with a sentence on stderr when the wasmtime package is missing.
"""

import json
import sys
import time

import importlib.metadata

try:
    import wasmtime
except ImportError:
    print("python3 has no wasmtime package (pip install wasmtime)", file=sys.stderr)
    sys.exit(3)

module_path, stdout_path, *args = sys.argv[1:]
engine = wasmtime.Engine()
module = wasmtime.Module.from_file(engine, module_path)
linker = wasmtime.Linker(engine)
linker.define_wasi()
store = wasmtime.Store(engine)
config = wasmtime.WasiConfig()
config.argv = ["guest", *args]
config.stdout_file = stdout_path
config.inherit_stderr()
store.set_wasi(config)
started = time.perf_counter()
cpu_started = time.process_time()
instance = linker.instantiate(store, module)
code = 0
try:
    instance.exports(store)["_start"](store)
except wasmtime.ExitTrap as exit:
    code = exit.code
wall = (time.perf_counter() - started) * 1000
cpu = (time.process_time() - cpu_started) * 1000
version = importlib.metadata.version("wasmtime")
print(json.dumps({"wall": wall, "cpu": cpu, "code": code, "version": version}))
