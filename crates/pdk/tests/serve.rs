//! The serve loop driven with scripted host input: every test feeds the lines
//! the host would send (including its answers to the guest's calls, in
//! order) and checks the lines the guest writes.

use std::cell::{Cell, RefCell};
use std::io::{self, Cursor, Write};
use std::rc::Rc;

use wasmi_plugin_pdk::serde_json::{self, json};
use wasmi_plugin_pdk::{Host, HostCall, Plugin, RpcError, Value};

/// A writer whose bytes the test can read after `serve_with` consumed it.
#[derive(Clone, Default)]
struct Output {
    bytes: Rc<RefCell<Vec<u8>>>,
    flushes: Rc<Cell<usize>>,
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bytes.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flushes.set(self.flushes.get() + 1);
        Ok(())
    }
}

fn plugin() -> Plugin {
    Plugin::new()
        .method("ping", |_: (), _host: &mut Host| Ok("pong"))
        .method("add", |(a, b): (i64, i64), _| Ok(a + b))
        .method("double", |n: u64, _| Ok(n * 2))
        .method("echo", |params: Value, _| Ok(params))
        .method("fail", |_: (), _| -> Result<(), RpcError> {
            Err("it failed".into())
        })
        .method("fail_custom", |_: (), _| -> Result<(), RpcError> {
            Err(RpcError::new(7, "custom").with_data(json!({"why": "test"})))
        })
        .method("greet", |_: (), host| {
            let name: String = host.call("get_name", ())?;
            Ok(format!("hi {name}"))
        })
        .method("outer", |_: (), host| {
            host.call::<_, Value>("outer_host", ())
        })
        .method("inner", |_: (), host| {
            host.call::<_, Value>("inner_host", [1])
        })
        .method("notify", |_: (), host| {
            host.notify("event", json!({"k": 1}))
        })
        .method("forward", |_: (), host| host.call::<_, Value>("broken", ()))
        .method("typed", |_: (), host| host.call::<_, u64>("typed", ()))
        .async_method("async_greet", |_: (), host: Host| async move {
            let name: String = host.call_async("get_name", ()).await?;
            Ok::<_, RpcError>(format!("hi {name}"))
        })
        .async_method("async_pair", |_: (), host: Host| async move {
            // Two calls polled together: both requests go out before either
            // response is read; the responses may come in any order.
            let mut a: HostCall<String> = host.call_async("a", ());
            let mut b: HostCall<String> = host.call_async("b", ());
            let (mut ra, mut rb) = (None, None);
            std::future::poll_fn(|cx| {
                use std::future::Future;
                use std::pin::Pin;
                use std::task::Poll;
                if ra.is_none() {
                    if let Poll::Ready(r) = Pin::new(&mut a).poll(cx) {
                        ra = Some(r);
                    }
                }
                if rb.is_none() {
                    if let Poll::Ready(r) = Pin::new(&mut b).poll(cx) {
                        rb = Some(r);
                    }
                }
                if ra.is_some() && rb.is_some() {
                    Poll::Ready(())
                } else {
                    Poll::Pending
                }
            })
            .await;
            Ok::<_, RpcError>(format!("{}{}", ra.unwrap()?, rb.unwrap()?))
        })
        .async_method("async_sleep", |ms: u64, host: Host| async move {
            host.sleep(std::time::Duration::from_millis(ms)).await;
            Ok::<_, RpcError>(ms)
        })
        .async_method("never", |_: (), _host: Host| async move {
            std::future::pending::<()>().await;
            Ok::<_, RpcError>(())
        })
}

/// Serves `plugin()` on `input` and returns the output lines.
fn serve(input: &str) -> Vec<String> {
    serve_plugin(plugin(), input)
}

fn serve_plugin(plugin: Plugin, input: &str) -> Vec<String> {
    let output = Output::default();
    plugin
        .serve_with(Cursor::new(input.as_bytes().to_vec()), output.clone())
        .expect("serve_with");
    let bytes = output.bytes.borrow().clone();
    let text = String::from_utf8(bytes).expect("UTF-8 output");
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "unterminated output {text:?}"
    );
    text.lines().map(str::to_owned).collect()
}

/// Serves `input` and parses the output lines as JSON.
fn serve_json(input: &str) -> Vec<Value> {
    serve(input)
        .iter()
        .map(|line| serde_json::from_str(line).expect(line))
        .collect()
}

fn lines(messages: &[Value]) -> String {
    messages.iter().map(|m| format!("{m}\n")).collect()
}

fn error_code(response: &Value) -> i64 {
    response["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("not an error: {response}"))
}

#[test]
fn answers_a_request_exactly() {
    let out = serve("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n");
    assert_eq!(out, [r#"{"jsonrpc":"2.0","id":1,"result":"pong"}"#]);
}

#[test]
fn echoes_ids_exactly() {
    let ids = [
        json!(1),
        json!(-5),
        json!(1.5),
        json!("abc"),
        json!(""),
        json!(null),
        json!(9007199254740993_u64),
    ];
    let input: Vec<Value> = ids
        .iter()
        .map(|id| json!({"jsonrpc": "2.0", "id": id, "method": "ping"}))
        .collect();
    let out = serve_json(&lines(&input));
    let echoed: Vec<Value> = out.iter().map(|r| r["id"].clone()).collect();
    assert_eq!(echoed, ids);
}

#[test]
fn flushes_after_every_message() {
    let output = Output::default();
    let input = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n".repeat(3);
    plugin()
        .serve_with(Cursor::new(input.into_bytes()), output.clone())
        .unwrap();
    assert_eq!(output.flushes.get(), 3);
}

#[test]
fn accepts_each_params_form() {
    let input = lines(&[
        json!({"jsonrpc": "2.0", "id": 1, "method": "ping", "params": null}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "ping", "params": []}),
        json!({"jsonrpc": "2.0", "id": 3, "method": "add", "params": [2, 3]}),
        json!({"jsonrpc": "2.0", "id": 4, "method": "double", "params": 5}),
        json!({"jsonrpc": "2.0", "id": 5, "method": "double", "params": [5]}),
        json!({"jsonrpc": "2.0", "id": 6, "method": "echo", "params": {"a": [1]}}),
        json!({"jsonrpc": "2.0", "id": 7, "method": "echo"}),
    ]);
    let results: Vec<Value> = serve_json(&input)
        .iter()
        .map(|r| r["result"].clone())
        .collect();
    let expected = [
        json!("pong"),
        json!("pong"),
        json!(5),
        json!(10),
        json!(10),
        json!({"a": [1]}),
        Value::Null,
    ];
    assert_eq!(results, expected);
}

#[test]
fn invalid_params_answer_32602() {
    let input = lines(&[
        json!({"jsonrpc": "2.0", "id": 1, "method": "add", "params": [1]}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "add", "params": ["a", "b"]}),
        json!({"jsonrpc": "2.0", "id": 3, "method": "double", "params": {"n": 1}}),
        json!({"jsonrpc": "2.0", "id": 4, "method": "ping", "params": [1]}),
        json!({"jsonrpc": "2.0", "id": 5, "method": "double"}),
    ]);
    let out = serve_json(&input);
    assert_eq!(out.len(), 5);
    for (i, response) in out.iter().enumerate() {
        assert_eq!(response["id"], json!(i + 1));
        assert_eq!(error_code(response), -32602, "{response}");
        let message = response["error"]["message"].as_str().unwrap();
        assert!(message.starts_with("Invalid params: "), "{message}");
    }
}

#[test]
fn unknown_methods_answer_32601() {
    let out = serve_json("{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"nope\"}\n");
    assert_eq!(
        out,
        [
            json!({"jsonrpc": "2.0", "id": "x", "error": {"code": -32601, "message": "Method not found: nope"}})
        ]
    );
}

#[test]
fn handler_errors_use_32000_or_their_own_code() {
    let input = lines(&[
        json!({"jsonrpc": "2.0", "id": 1, "method": "fail"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "fail_custom"}),
    ]);
    let out = serve_json(&input);
    assert_eq!(
        out[0]["error"],
        json!({"code": -32000, "message": "it failed"})
    );
    assert_eq!(
        out[1]["error"],
        json!({"code": 7, "message": "custom", "data": {"why": "test"}})
    );
}

#[test]
fn parse_errors_answer_32700_with_null_id() {
    let out = serve_json("not json\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"\n");
    assert_eq!(out.len(), 2);
    for response in &out {
        assert_eq!(response["id"], Value::Null);
        assert_eq!(error_code(response), -32700);
    }
}

#[test]
fn invalid_utf8_is_a_parse_error() {
    let output = Output::default();
    let input = b"\"\xff\xfe\"\n".to_vec();
    plugin()
        .serve_with(Cursor::new(input), output.clone())
        .unwrap();
    let response: Value = serde_json::from_slice(&output.bytes.borrow()).unwrap();
    assert_eq!(error_code(&response), -32700);
}

#[test]
fn invalid_requests_answer_32600() {
    let input = "1\n\"x\"\n[]\n{\"foo\":1}\n{\"jsonrpc\":\"1.0\",\"id\":3,\"method\":\"ping\"}\n\
                 {\"jsonrpc\":\"2.0\",\"id\":4,\"method\":5}\n{\"jsonrpc\":\"2.0\",\"id\":5}\n\
                 {\"jsonrpc\":\"2.0\",\"id\":[6],\"method\":\"ping\"}\n";
    let out = serve_json(input);
    let ids: Vec<Value> = out.iter().map(|r| r["id"].clone()).collect();
    assert_eq!(
        ids,
        [
            json!(null),
            json!(null),
            json!(null),
            json!(null),
            json!(3),
            json!(4),
            json!(5),
            json!(null)
        ]
    );
    for response in &out {
        assert_eq!(error_code(response), -32600, "{response}");
    }
}

#[test]
fn notifications_run_but_are_not_answered() {
    let seen = Rc::new(Cell::new(0));
    let counter = Rc::clone(&seen);
    let plugin = Plugin::new()
        .method("count", move |_: (), _| {
            counter.set(counter.get() + 1);
            Ok(counter.get())
        })
        .method("fail", |_: (), _| -> Result<(), RpcError> {
            Err("ignored".into())
        });
    let input = "{\"jsonrpc\":\"2.0\",\"method\":\"count\"}\n{\"jsonrpc\":\"2.0\",\"method\":\"fail\"}\n\
                 {\"jsonrpc\":\"2.0\",\"method\":\"missing\"}\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"count\"}\n";
    let out = serve_plugin(plugin, input);
    assert_eq!(out, [r#"{"jsonrpc":"2.0","id":1,"result":2}"#]);
    assert_eq!(seen.get(), 2);
}

#[test]
fn batches_are_answered_with_an_array() {
    let batch = json!([
        {"jsonrpc": "2.0", "id": 1, "method": "ping"},
        {"jsonrpc": "2.0", "method": "ping"},
        {"jsonrpc": "2.0", "id": 2, "method": "add", "params": [1, 2]},
        {"foo": "bar"},
        {"jsonrpc": "2.0", "id": 3, "method": "nope"},
        1
    ]);
    let out = serve_json(&format!("{batch}\n"));
    assert_eq!(out.len(), 1);
    let responses = out[0].as_array().expect("an array");
    assert_eq!(responses.len(), 5);
    assert_eq!(
        responses[0],
        json!({"jsonrpc": "2.0", "id": 1, "result": "pong"})
    );
    assert_eq!(
        responses[1],
        json!({"jsonrpc": "2.0", "id": 2, "result": 3})
    );
    assert_eq!(
        (responses[2]["id"].clone(), error_code(&responses[2])),
        (Value::Null, -32600)
    );
    assert_eq!(
        (responses[3]["id"].clone(), error_code(&responses[3])),
        (json!(3), -32601)
    );
    assert_eq!(
        (responses[4]["id"].clone(), error_code(&responses[4])),
        (Value::Null, -32600)
    );
}

#[test]
fn batches_of_notifications_get_no_answer() {
    let batch = json!([{"jsonrpc": "2.0", "method": "ping"}, {"jsonrpc": "2.0", "method": "nope"}]);
    assert!(serve(&format!("{batch}\n")).is_empty());
}

#[test]
fn blank_lines_crlf_and_a_last_line_without_newline() {
    let input = "\n  \r\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\r\n{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}";
    let out = serve_json(input);
    assert_eq!(out.len(), 2);
    assert_eq!(out[1]["id"], json!(2));
}

#[test]
fn calls_the_host_and_reads_its_answer() {
    let input = lines(&[
        json!({"jsonrpc": "2.0", "id": 10, "method": "greet"}),
        json!({"jsonrpc": "2.0", "id": 1, "result": "ada"}),
    ]);
    let out = serve(&input);
    assert_eq!(
        out,
        [
            r#"{"jsonrpc":"2.0","id":1,"method":"get_name"}"#,
            r#"{"jsonrpc":"2.0","id":10,"result":"hi ada"}"#,
        ]
    );
}

#[test]
fn host_call_ids_increase_from_one() {
    let input = lines(&[
        json!({"jsonrpc": "2.0", "id": "a", "method": "greet"}),
        json!({"jsonrpc": "2.0", "id": 1, "result": "x"}),
        json!({"jsonrpc": "2.0", "id": "b", "method": "greet"}),
        json!({"jsonrpc": "2.0", "id": 2, "result": "y"}),
    ]);
    let out = serve_json(&input);
    assert_eq!(out[0]["id"], json!(1));
    assert_eq!(out[2]["id"], json!(2));
    assert_eq!(out[3]["result"], json!("hi y"));
}

#[test]
fn handles_host_requests_while_waiting() {
    // While the guest waits for get_name, the host calls ping (answered at
    // once), sends a notification, and a response with an unknown id.
    let input = lines(&[
        json!({"jsonrpc": "2.0", "id": 10, "method": "greet"}),
        json!({"jsonrpc": "2.0", "id": 20, "method": "ping"}),
        json!({"jsonrpc": "2.0", "method": "ping"}),
        json!({"jsonrpc": "2.0", "id": 99, "result": "stray"}),
        json!({"jsonrpc": "2.0", "id": 1, "result": "ada"}),
    ]);
    let out = serve(&input);
    assert_eq!(
        out,
        [
            r#"{"jsonrpc":"2.0","id":1,"method":"get_name"}"#,
            r#"{"jsonrpc":"2.0","id":20,"result":"pong"}"#,
            r#"{"jsonrpc":"2.0","id":10,"result":"hi ada"}"#,
        ]
    );
}

#[test]
fn nested_calls_with_out_of_order_responses() {
    // outer waits for call 1; meanwhile the host calls inner, which waits
    // for call 2; the host answers call 1 first, then call 2.
    let input = lines(&[
        json!({"jsonrpc": "2.0", "id": "outer", "method": "outer"}),
        json!({"jsonrpc": "2.0", "id": "inner", "method": "inner"}),
        json!({"jsonrpc": "2.0", "id": 1, "result": "for outer"}),
        json!({"jsonrpc": "2.0", "id": 2, "result": "for inner"}),
    ]);
    let out = serve(&input);
    assert_eq!(
        out,
        [
            r#"{"jsonrpc":"2.0","id":1,"method":"outer_host"}"#,
            r#"{"jsonrpc":"2.0","id":2,"method":"inner_host","params":[1]}"#,
            r#"{"jsonrpc":"2.0","id":"inner","result":"for inner"}"#,
            r#"{"jsonrpc":"2.0","id":"outer","result":"for outer"}"#,
        ]
    );
}

#[test]
fn a_method_can_run_inside_its_own_host_call() {
    let input = lines(&[
        json!({"jsonrpc": "2.0", "id": "a", "method": "greet"}),
        json!({"jsonrpc": "2.0", "id": "b", "method": "greet"}),
        json!({"jsonrpc": "2.0", "id": 2, "result": "second"}),
        json!({"jsonrpc": "2.0", "id": 1, "result": "first"}),
    ]);
    let out = serve_json(&input);
    assert_eq!(
        out[2],
        json!({"jsonrpc": "2.0", "id": "b", "result": "hi second"})
    );
    assert_eq!(
        out[3],
        json!({"jsonrpc": "2.0", "id": "a", "result": "hi first"})
    );
}

#[test]
fn host_errors_pass_through_unchanged() {
    let host_error =
        json!({"code": -32601, "message": "Method not found: broken", "data": [1, "x"]});
    let input = lines(&[
        json!({"jsonrpc": "2.0", "id": 5, "method": "forward"}),
        json!({"jsonrpc": "2.0", "id": 1, "error": host_error}),
    ]);
    let out = serve_json(&input);
    assert_eq!(
        out[1],
        json!({"jsonrpc": "2.0", "id": 5, "error": host_error})
    );
}

#[test]
fn wrongly_typed_host_results_are_internal_errors() {
    let input = lines(&[
        json!({"jsonrpc": "2.0", "id": 5, "method": "typed"}),
        json!({"jsonrpc": "2.0", "id": 1, "result": "not a number"}),
    ]);
    let out = serve_json(&input);
    assert_eq!(error_code(&out[1]), -32603);
}

#[test]
fn eof_while_waiting_fails_the_call() {
    let input = lines(&[json!({"jsonrpc": "2.0", "id": 5, "method": "greet"})]);
    let out = serve_json(&input);
    assert_eq!(out.len(), 2);
    assert_eq!(error_code(&out[1]), -32603);
    let message = out[1]["error"]["message"].as_str().unwrap();
    assert!(message.contains("stdin closed"), "{message}");
}

#[test]
fn sends_notifications_to_the_host() {
    let out = serve(&lines(&[
        json!({"jsonrpc": "2.0", "id": 1, "method": "notify"}),
    ]));
    assert_eq!(
        out,
        [
            r#"{"jsonrpc":"2.0","method":"event","params":{"k":1}}"#,
            r#"{"jsonrpc":"2.0","id":1,"result":null}"#,
        ]
    );
}

#[test]
fn async_handlers_await_host_calls() {
    let input = lines(&[
        json!({"jsonrpc": "2.0", "id": 10, "method": "async_greet"}),
        json!({"jsonrpc": "2.0", "id": 11, "method": "ping"}),
        json!({"jsonrpc": "2.0", "id": 1, "result": "ada"}),
        json!({"jsonrpc": "2.0", "id": 12, "method": "async_sleep", "params": [1]}),
    ]);
    let out = serve(&input);
    assert_eq!(
        out,
        [
            r#"{"jsonrpc":"2.0","id":1,"method":"get_name"}"#,
            r#"{"jsonrpc":"2.0","id":11,"result":"pong"}"#,
            r#"{"jsonrpc":"2.0","id":10,"result":"hi ada"}"#,
            r#"{"jsonrpc":"2.0","id":12,"result":1}"#,
        ]
    );
}

#[test]
fn async_calls_polled_together_are_pipelined() {
    let input = lines(&[
        json!({"jsonrpc": "2.0", "id": 10, "method": "async_pair"}),
        json!({"jsonrpc": "2.0", "id": 2, "result": "B"}),
        json!({"jsonrpc": "2.0", "id": 1, "result": "A"}),
    ]);
    let out = serve(&input);
    assert_eq!(
        out,
        [
            r#"{"jsonrpc":"2.0","id":1,"method":"a"}"#,
            r#"{"jsonrpc":"2.0","id":2,"method":"b"}"#,
            r#"{"jsonrpc":"2.0","id":10,"result":"AB"}"#,
        ]
    );
}

#[test]
fn async_handlers_pending_at_eof_fail() {
    let input = lines(&[
        json!({"jsonrpc": "2.0", "id": 1, "method": "never"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "ping"}),
    ]);
    let out = serve_json(&input);
    assert_eq!(out[0]["result"], json!("pong"));
    assert_eq!(out[1]["id"], json!(1));
    assert_eq!(error_code(&out[1]), -32603);
}

#[test]
fn async_host_errors_pass_through() {
    let input = lines(&[
        json!({"jsonrpc": "2.0", "id": 10, "method": "async_greet"}),
        json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -5, "message": "no name"}}),
    ]);
    let out = serve_json(&input);
    assert_eq!(out[1]["error"], json!({"code": -5, "message": "no name"}));
}

#[test]
fn write_errors_end_serving() {
    struct Broken;
    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::new(io::ErrorKind::BrokenPipe, "closed"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let input = lines(&[json!({"jsonrpc": "2.0", "id": 1, "method": "ping"})]);
    let result = plugin().serve_with(Cursor::new(input.into_bytes()), Broken);
    assert_eq!(result.unwrap_err().kind(), io::ErrorKind::BrokenPipe);
}

/// `n` requests `{"id": "r<i>", "method": method}` for i in 1..=n.
fn requests(method: &str, n: usize) -> Vec<Value> {
    (1..=n)
        .map(|i| json!({"jsonrpc": "2.0", "id": format!("r{i}"), "method": method}))
        .collect()
}

/// The host's answer `"n<id>"` to the guest's call `id`.
fn answer(id: usize) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "result": format!("n{id}")})
}

fn get_name(id: usize) -> String {
    format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"get_name"}}"#)
}

fn greeted(request: usize, call: usize) -> String {
    format!(r#"{{"jsonrpc":"2.0","id":"r{request}","result":"hi n{call}"}}"#)
}

#[test]
fn concurrent_requests_nest_no_deeper_than_16() {
    // 300 requests arrive before any host answer, as when a host starts 300
    // concurrent calls. Run each nested in the previous one's host call,
    // they were 300 deep, which exhausted a wasm guest's call stack. At most
    // 16 may be on the stack; the others wait their turn.
    const N: usize = 300;
    let depth = Rc::new(Cell::new(0));
    let deepest = Rc::new(Cell::new(0));
    let enter = {
        let (depth, deepest) = (Rc::clone(&depth), Rc::clone(&deepest));
        move || {
            depth.set(depth.get() + 1);
            deepest.set(deepest.get().max(depth.get()));
        }
    };
    let (enter_async, depth_async) = (enter.clone(), Rc::clone(&depth));
    let plugin = Plugin::new()
        .method("sync", move |_: (), host: &mut Host| {
            enter();
            let name: String = host.call("get_name", ())?;
            depth.set(depth.get() - 1);
            Ok(name)
        })
        .async_method("async", move |_: (), host: Host| {
            enter_async();
            let depth = Rc::clone(&depth_async);
            async move {
                let name: String = host.call_async("get_name", ()).await?;
                depth.set(depth.get() - 1);
                Ok::<_, RpcError>(name)
            }
        });
    let mut input: Vec<Value> = (1..=N)
        .map(|i| {
            let method = if i % 2 == 0 { "sync" } else { "async" };
            json!({"jsonrpc": "2.0", "id": i, "method": method})
        })
        .collect();
    input.extend((1..=N).map(answer));
    let out = serve_plugin(plugin, &lines(&input));
    assert_eq!(deepest.get(), 16);
    let out: Vec<Value> = out
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let calls = out.iter().filter(|m| m["method"] == "get_name").count();
    let mut answered: Vec<u64> = out
        .iter()
        .filter(|m| m.get("result").is_some())
        .map(|m| m["id"].as_u64().unwrap())
        .collect();
    answered.sort_unstable();
    assert_eq!(calls, N);
    assert_eq!(answered, (1..=N as u64).collect::<Vec<_>>());
    let mut names: Vec<&str> = out.iter().filter_map(|m| m["result"].as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), N, "each request got its own host answer");
}

#[test]
fn requests_beyond_the_limit_wait_for_a_handler_to_return() {
    // 16 greets nest (each may need the next one answered before the host
    // answers it); the 17th waits until the 16th returns, then runs nested
    // in the 15th's wait, which resumes once the 17th returns.
    let mut input = requests("greet", 17);
    input.extend((1..=16).rev().map(answer));
    input.push(answer(17));
    let out = serve(&lines(&input));
    let mut expected: Vec<String> = (1..=16).map(get_name).collect();
    expected.push(greeted(16, 16));
    expected.push(get_name(17));
    expected.push(greeted(17, 17));
    expected.extend((1..=15).rev().map(|i| greeted(i, i)));
    assert_eq!(out, expected);
}

#[test]
fn responses_reach_their_calls_while_requests_wait() {
    // At the limit, a batch holding a request and the answer the top handler
    // waits for: the answer is routed at once, the request runs after.
    let mut input = requests("greet", 16);
    input.push(json!([
        {"jsonrpc": "2.0", "id": "p", "method": "ping"},
        answer(16),
    ]));
    input.extend((1..=15).rev().map(answer));
    let out = serve(&lines(&input));
    let mut expected: Vec<String> = (1..=16).map(get_name).collect();
    expected.push(greeted(16, 16));
    expected.push(r#"[{"jsonrpc":"2.0","id":"p","result":"pong"}]"#.to_owned());
    expected.extend((1..=15).rev().map(|i| greeted(i, i)));
    assert_eq!(out, expected);
}

#[test]
fn queued_requests_are_still_answered_after_eof() {
    let out = serve_json(&lines(&requests("greet", 20)));
    let mut failed: Vec<String> = out
        .iter()
        .filter(|m| m.get("error").is_some())
        .map(|m| {
            assert_eq!(error_code(m), -32603, "{m}");
            m["id"].as_str().unwrap().to_owned()
        })
        .collect();
    failed.sort_unstable();
    let mut expected: Vec<String> = (1..=20).map(|i| format!("r{i}")).collect();
    expected.sort_unstable();
    assert_eq!(failed, expected);
}
