/** sherpa-onnx-node ships no types; the engines use it through named-pipe-tools-models' SherpaModule. */
declare module "sherpa-onnx-node";
