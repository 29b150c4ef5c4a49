"""Records the reference outputs of tests/conformance/cases.json: each case
runs under wasmtime (the PyPI package) with its stdin, no directories and no
environment; its exit code, stdout and stderr become the case's `expected`.
A program built with WebAssembly exceptions runs from its exnref translation
(PROGRAM.exnref.wasm, see scripts/fetch_conformance.sh) when there is one:
wasmtime runs only that encoding.

  python3 scripts/_record_conformance.py CACHE_DIR   (run by scripts/fetch_conformance.sh --record)
"""

import hashlib
import json
import pathlib
import sys
import tempfile

import wasmtime

LONG = 2048
cache = pathlib.Path(sys.argv[1])
cases_path = pathlib.Path(__file__).parent.parent / "tests/conformance/cases.json"
document = json.loads(cases_path.read_text())
config = wasmtime.Config()
config.wasm_exceptions = True
engine = wasmtime.Engine(config)
modules = {}
with tempfile.TemporaryDirectory() as tmp:
    files = {name: pathlib.Path(tmp, name) for name in ("stdin", "stdout", "stderr")}
    for case in document["cases"]:
        program = case["program"]
        if program not in modules:
            translated = cache / f"{program}.exnref.wasm"
            path = translated if translated.exists() else cache / f"{program}.wasm"
            modules[program] = wasmtime.Module.from_file(engine, str(path))
        files["stdin"].write_bytes(case["stdin"].encode())
        linker = wasmtime.Linker(engine)
        linker.define_wasi()
        store = wasmtime.Store(engine)
        config = wasmtime.WasiConfig()
        config.argv = [program, *case["args"]]
        config.stdin_file = str(files["stdin"])
        config.stdout_file = str(files["stdout"])
        config.stderr_file = str(files["stderr"])
        store.set_wasi(config)
        code = 0
        try:
            linker.instantiate(store, modules[program]).exports(store)["_start"](store)
        except wasmtime.ExitTrap as exit:
            code = exit.code
        stdout = files["stdout"].read_bytes()
        case["expected"] = {
            "code": code,
            "stderr": files["stderr"].read_bytes().decode(),
            # A long output is kept as its length and digest.
            **(
                {"stdout": stdout.decode()}
                if len(stdout) <= LONG
                else {"stdoutBytes": len(stdout), "stdoutSha256": hashlib.sha256(stdout).hexdigest()}
            ),
        }
        print(f"{case['name']}: exit {code}", file=sys.stderr)
cases_path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
