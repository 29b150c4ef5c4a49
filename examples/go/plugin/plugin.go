// Package plugin is a small guest kit for wasmi-plugins in Go: it serves
// JSON-RPC 2.0 methods to the host over stdio (one message per line) and
// calls the host's methods, using only encoding/json and bufio.
//
// Build a plugin with GOOS=wasip1 GOARCH=wasm. Reads of stdin block; the
// host suspends the guest meanwhile, so blocking is fine.
//
// The protocol as this kit implements it:
//
//   - A request's id (number, string or null) is echoed byte for byte.
//   - Notifications (no id) run their handler and are never answered.
//   - A line that is not JSON is answered with -32700 (id null), a message
//     that is not a request object (a batch included) with -32600, an
//     unknown method with -32601 ("Method not found: NAME").
//   - Handler errors that are not an *Error answer -32000 with their text.
//   - Host.Call writes a request with ids 1, 2, 3, ... and reads stdin until
//     the response with its id arrives; requests from the host arriving
//     meanwhile are handled (re-entrantly), responses to other pending calls
//     are kept for them.
//   - Serve returns nil when stdin reaches EOF; every message is written to
//     stdout with one write call (nothing is buffered).
package plugin

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// Error is a JSON-RPC error object.
type Error struct {
	Code    int64           `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty"`
}

func (e *Error) Error() string { return fmt.Sprintf("JSON-RPC error %d: %s", e.Code, e.Message) }

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code int64, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Standard JSON-RPC 2.0 error codes.
const (
	ParseError     = -32700
	InvalidRequest = -32600
	MethodNotFound = -32601
	InvalidParams  = -32602
	InternalError  = -32603
	ServerError    = -32000
)

// Handler serves one method. params is the request's params as given
// (nil when absent). The result is encoded with encoding/json (so a
// json.RawMessage is sent as the JSON text it holds, compacted); a non-nil
// error answers with an error object instead.
type Handler func(host *Host, params json.RawMessage) (any, error)

// Methods maps method names to handlers.
type Methods map[string]Handler

// message is any JSON-RPC 2.0 message: request, notification or response.
type message struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Method  *string         `json:"method,omitempty"`
	Params  json.RawMessage `json:"params,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *Error          `json:"error,omitempty"`
}

// request is a request to the host.
type request struct {
	JSONRPC string `json:"jsonrpc"`
	ID      int64  `json:"id"`
	Method  string `json:"method"`
	Params  any    `json:"params,omitempty"`
}

// response is a response to the host: Result or Error is set.
type response struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *Error          `json:"error,omitempty"`
}

// Host is the connection to the host, handed to every handler.
type Host struct {
	in      *bufio.Reader
	out     io.Writer
	methods Methods
	nextID  int64
	// Responses that arrived while waiting for another one, by id.
	responses map[int64]*message
	// Ids of the calls waiting for their response.
	pending map[int64]bool
}

// Serve handles requests from stdin until it reaches EOF, then returns nil.
// It returns an error only when stdin or stdout fail.
func Serve(methods Methods) error {
	host := &Host{
		in:        bufio.NewReaderSize(os.Stdin, 64*1024),
		out:       os.Stdout,
		methods:   methods,
		responses: map[int64]*message{},
		pending:   map[int64]bool{},
	}
	for {
		line, err := host.readLine()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := host.handleLine(line); err != nil {
			return err
		}
	}
}

// Call calls host method `method` with params (omitted when nil) and
// decodes its result into result (skipped when result is nil). When the host
// answers with an error, Call returns it as an *Error, unchanged.
func (h *Host) Call(method string, params any, result any) error {
	h.nextID++
	id := h.nextID
	if err := h.write(request{JSONRPC: "2.0", ID: id, Method: method, Params: params}); err != nil {
		return err
	}
	h.pending[id] = true
	defer delete(h.pending, id)
	for {
		if response, ok := h.responses[id]; ok {
			delete(h.responses, id)
			if response.Error != nil {
				return response.Error
			}
			if result == nil {
				return nil
			}
			if err := json.Unmarshal(response.Result, result); err != nil {
				return Errorf(InternalError, "invalid result of host method %s: %v", method, err)
			}
			return nil
		}
		line, err := h.readLine()
		if err == io.EOF {
			return Errorf(InternalError, "stdin closed while waiting for host method %s", method)
		}
		if err != nil {
			return err
		}
		if err := h.handleLine(line); err != nil {
			return err
		}
	}
}

// Log writes one line "LEVEL message" to stderr.
func Log(level string, format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s %s\n", level, fmt.Sprintf(format, args...))
}

// readLine returns the next line without its "\n" (a last line without one
// counts), or io.EOF.
func (h *Host) readLine() ([]byte, error) {
	line, err := h.in.ReadBytes('\n')
	if err == io.EOF && len(line) > 0 {
		return line, nil
	}
	if err != nil {
		return nil, err
	}
	return line[:len(line)-1], nil
}

// handleLine handles one message: a request or notification is served, a
// response is kept for the call waiting for it. Errors are I/O errors.
func (h *Host) handleLine(line []byte) error {
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return nil
	}
	if !json.Valid(line) {
		return h.answer(json.RawMessage("null"), nil, Errorf(ParseError, "Parse error"))
	}
	var msg message
	if line[0] != '{' || json.Unmarshal(line, &msg) != nil || msg.JSONRPC != "2.0" {
		return h.answer(validID(msg.ID), nil, Errorf(InvalidRequest, "Invalid Request"))
	}
	if msg.Method == nil {
		if msg.ID == nil || (msg.Result == nil && msg.Error == nil) {
			return h.answer(validID(msg.ID), nil, Errorf(InvalidRequest, "Invalid Request"))
		}
		return h.keepResponse(&msg)
	}
	handler, found := h.methods[*msg.Method]
	var result any
	var err error
	if found {
		result, err = handler(h, msg.Params)
	} else {
		err = Errorf(MethodNotFound, "Method not found: %s", *msg.Method)
	}
	if msg.ID == nil {
		if err != nil {
			Log("WARN", "notification %s failed: %v", *msg.Method, err)
		}
		return nil
	}
	return h.answer(msg.ID, result, err)
}

// keepResponse stores a response for the Call waiting for its id.
func (h *Host) keepResponse(msg *message) error {
	var id int64
	if json.Unmarshal(msg.ID, &id) != nil || !h.pending[id] {
		Log("WARN", "ignoring a response with unknown id %s", msg.ID)
		return nil
	}
	h.responses[id] = msg
	return nil
}

// answer writes the response to a request: its result, or its error.
func (h *Host) answer(id json.RawMessage, result any, err error) error {
	out := response{JSONRPC: "2.0", ID: id}
	if err == nil {
		encoded, encodeErr := json.Marshal(result)
		out.Result = encoded
		err = encodeErr
	}
	if err != nil {
		out.Result = nil
		if !errors.As(err, &out.Error) {
			out.Error = &Error{Code: ServerError, Message: err.Error()}
		}
	}
	return h.write(out)
}

// write sends one message as one line, with one write call.
func (h *Host) write(msg any) error {
	encoded, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	_, err = h.out.Write(append(encoded, '\n'))
	return err
}

// validID returns id when it is a number or a string, else null.
func validID(id json.RawMessage) json.RawMessage {
	if len(id) > 0 && (id[0] == '"' || id[0] == '-' || (id[0] >= '0' && id[0] <= '9')) {
		return id
	}
	return json.RawMessage("null")
}
