// Example plugin in Go on the small kit in ./plugin: the scenario every
// plugin under examples/ implements (see examples/README.md).
package main

import (
	_ "embed"
	"encoding/json"
	"os"

	"example.com/wasmi-plugins/go-example/plugin"
)

// openrpc is the OpenRPC 1.3.2 document rpc.discover answers: the methods
// below. The result schema of fail matches no value (it never succeeds);
// exit has no result (it never answers).
//
//go:embed openrpc.json
var openrpc []byte

// args decodes positional params: an array of exactly len(into) values.
func args(params json.RawMessage, into ...any) error {
	var list []json.RawMessage
	if err := json.Unmarshal(params, &list); err != nil || len(list) != len(into) {
		return plugin.Errorf(plugin.InvalidParams, "expected an array of %d params", len(into))
	}
	for i, value := range list {
		if err := json.Unmarshal(value, into[i]); err != nil {
			return plugin.Errorf(plugin.InvalidParams, "param %d: %v", i, err)
		}
	}
	return nil
}

func main() {
	err := plugin.Serve(plugin.Methods{
		"ping": func(_ *plugin.Host, _ json.RawMessage) (any, error) {
			return "pong", nil
		},
		"add": func(_ *plugin.Host, params json.RawMessage) (any, error) {
			var a, b int64
			if err := args(params, &a, &b); err != nil {
				return nil, err
			}
			return a + b, nil
		},
		"greet": func(host *plugin.Host, params json.RawMessage) (any, error) {
			var name string
			if err := args(params, &name); err != nil {
				return nil, err
			}
			var greeting *string // nil when the host answers null
			// The host's error, if any, is returned unchanged.
			if err := host.Call("greeting", []string{name}, &greeting); err != nil {
				return nil, err
			}
			if greeting == nil {
				return nil, plugin.Errorf(plugin.InternalError, "host method greeting returned null")
			}
			return *greeting + "!", nil
		},
		"log": func(_ *plugin.Host, params json.RawMessage) (any, error) {
			var message string
			if err := args(params, &message); err != nil {
				return nil, err
			}
			plugin.Log("INFO", "%s", message)
			return nil, nil
		},
		"fail": func(_ *plugin.Host, _ json.RawMessage) (any, error) {
			return nil, &plugin.Error{Code: -32000, Message: "failed on purpose"}
		},
		"exit": func(_ *plugin.Host, params json.RawMessage) (any, error) {
			var code int
			if err := args(params, &code); err != nil {
				return nil, err
			}
			os.Exit(code)
			return nil, nil
		},
		"rpc.discover": func(_ *plugin.Host, params json.RawMessage) (any, error) {
			if params != nil { // absent, null or []
				if err := args(params); err != nil {
					return nil, err
				}
			}
			return json.RawMessage(openrpc), nil
		},
	})
	if err != nil {
		plugin.Log("ERROR", "%v", err)
		os.Exit(1)
	}
}
