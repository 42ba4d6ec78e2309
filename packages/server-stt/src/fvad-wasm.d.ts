/** Types for @echogarden/fvad-wasm, which ships none: an Emscripten module factory. */
declare module "@echogarden/fvad-wasm" {
  const factory: () => Promise<unknown>;
  export default factory;
}
