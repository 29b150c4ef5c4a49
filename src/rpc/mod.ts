/**
 * JSON-RPC 2.0 over newline-delimited JSON, usable on any pair of byte
 * streams: framing stages ({@linkcode LineSplitStream},
 * {@linkcode JsonLineDecoderStream}, {@linkcode JsonLineEncoderStream}), a
 * {@linkcode Router} of typed methods and a bidirectional {@linkcode RpcPeer}.
 *
 * @example Serve methods on a peer
 * ```ts
 * import { Router } from "@wasmi-plugins/host/rpc";
 * const router = new Router().method("ping", () => "pong");
 * if (!router.has("ping") || router.has("toString")) throw new Error("unexpected");
 * ```
 *
 * @module
 */

export {
  InvalidJsonLine,
  JsonLineDecoderStream,
  JsonLineEncoderStream,
} from "./json_line_streams.ts";
export { ErrorCode, JsonRpcError, type JsonRpcErrorObject } from "./json_rpc_error.ts";
export { LineSplitStream, type LineSplitStreamOptions } from "./line_split_stream.ts";
export {
  isRequest,
  isResponse,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcRequest,
  type JsonRpcResponse,
} from "./messages.ts";
export { type Handler, type MethodOptions, Router } from "./router.ts";
export { RpcClosedError } from "./rpc_closed_error.ts";
export {
  type CallOptions,
  type LargeIntegers,
  type MissingParams,
  RpcPeer,
  type RpcPeerOptions,
} from "./rpc_peer.ts";
