// A `.wasm` file imported as a module is a compiled WebAssembly.Module, in
// workerd and in the bundlers that target it.
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
