# Shared settings for building wasm32 targets with Debian's rustc-web
# toolchain and std built from source (see README, "Building from source").
# Sourced by the build scripts; expects to run from the repository root.

export RUSTC_BOOTSTRAP=1
RUST_WASM_TOOLCHAIN="+debian-web"
RUST_WASM_TARGET_DIR="$PWD/target/wasm"
# Make outputs independent of where the checkout and the cargo home live.
RUST_WASM_REMAP="--remap-path-prefix=$PWD=/src --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo"

# The toolchain version recorded beside every committed build output.
rust_wasm_toolchain_version() {
  rustc +debian-web --version
}

# The Wasmi crate and the features it was built with, as Cargo resolved them
# for the engine bridge: "wasmi v2.0.0 indirect-dispatch,portable-dispatch,...".
rust_wasm_wasmi_features() {
  cargo $RUST_WASM_TOOLCHAIN tree --quiet --offline -p wasmi-wasm -e normal \
    --target wasm32-unknown-unknown --prefix none -f '{p} {f}' | grep -m1 '^wasmi v'
}
