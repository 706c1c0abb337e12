//! `genlab serve` over HTTP on 127.0.0.1, as a client sees it: every endpoint in OpenAI's
//! shapes, stream framing, seeds, stop strings, validation errors, the API key, the queue,
//! cancelled clients and graceful shutdown. The runs are tiny models trained once per test
//! binary.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use serde_json::{Value, json};

use common::ok;

/// The trained runs every test serves: a base GPT, an SFT chat model, a VAE, a
/// text-to-image GAN and a pix2pix translator.
struct Runs {
    _dir: tempfile::TempDir,
    gpt: PathBuf,
    sft: PathBuf,
    vae: PathBuf,
    t2i: PathBuf,
    p2p: PathBuf,
}

fn runs() -> &'static Runs {
    static RUNS: OnceLock<Runs> = OnceLock::new();
    RUNS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let p = |name: &str| dir.path().join(name);
        let s = |path: &Path| path.to_str().unwrap().to_string();
        // The corpus covers the instruction playground's alphabet, so the SFT run can
        // start from a GPT trained on it.
        let line = "ROMEO: But soft, what light through yonder window breaks?\nJULIET: Ay me.\n";
        let alphabet = genlab_data::instructions::ALPHABET;
        std::fs::write(p("corpus.txt"), line.repeat(40) + &alphabet.repeat(10)).unwrap();
        // A 32-token context (answers outgrow it: the cache crop runs), and a 128-token one
        // for the chat model (the playground's examples need it).
        for (name, block) in [("gpt", 32), ("chat-base", 128)] {
            let recipe = format!(
                "family = \"gpt\"\n[model]\nblock_size = {block}\nn_layer = 1\nn_head = 2\nn_embd = 16\n\
                 [train]\nmax_steps = 2\nbatch_size = 2\nwarmup_steps = 0\neval_iters = 1\n\
                 [data]\npath = {:?}\n",
                p("corpus.txt")
            );
            std::fs::write(p("gpt.toml"), recipe).unwrap();
            ok(&["gpt", "train", "--config", &s(&p("gpt.toml")), "--max-tokens", "2", "--out", &s(&p(name))]);
        }
        std::fs::write(
            p("ft.toml"),
            "family = \"finetune\"\n[sft]\nmax_steps = 1\nbatch_size = 2\nwarmup_steps = 0\n\
             [playground]\nexamples = 20\nheldout = 7\nrankings = 4\nheldout_rankings = 2\n",
        )
        .unwrap();
        ok(&["gpt", "sft", "--config", &s(&p("ft.toml")), "--base", &s(&p("chat-base")), "--out", &s(&p("sft"))]);
        ok(&["ae", "train", "--model", "vae", "--epochs", "1", "--latent", "4", "--out", &s(&p("vae"))]);
        ok(&["gan", "train", "--model", "text2img", "--epochs", "1", "--out", &s(&p("t2i"))]);
        let mut pix = common::TINY_PIX2PIX.to_vec();
        let out = s(&p("p2p"));
        pix.extend(["--out", out.as_str()]);
        ok(&pix);
        Runs { gpt: p("gpt"), sft: p("sft"), vae: p("vae"), t2i: p("t2i"), p2p: p("p2p"), _dir: dir }
    })
}

/// A `genlab serve` process on a free port, killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(models: &[&Path], flags: &[&str]) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_genlab"));
        cmd.args(["serve", "--port", "0"]).args(flags).env_remove("GENLAB_DEVICE");
        for m in models {
            cmd.arg("--model").arg(m);
        }
        let mut child = cmd.stderr(Stdio::piped()).stdout(Stdio::null()).spawn().unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let base = loop {
            let line = lines.next().expect("the server says where it listens").unwrap();
            if let Some(rest) = line.strip_prefix("genlab serve: http://") {
                break format!("http://{}", rest.split_whitespace().next().unwrap());
            }
        };
        std::thread::spawn(move || lines.for_each(drop));
        Server { child, base }
    }

    fn all() -> Server {
        let r = runs();
        Server::start(&[&r.gpt, &r.sft, &r.vae, &r.t2i, &r.p2p], &[])
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let resp = Client::new().post(self.url(path)).json(&body).send().unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().unwrap_or(Value::Null))
    }

    /// A streamed answer's `data:` payloads, `[DONE]` included.
    fn stream(&self, path: &str, body: Value) -> Vec<String> {
        let resp = Client::new().post(self.url(path)).json(&body).send().unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        let ctype = resp.headers()["content-type"].to_str().unwrap().to_string();
        assert!(ctype.starts_with("text/event-stream"), "{ctype}");
        let mut text = String::new();
        BufReader::new(resp).read_to_string(&mut text).unwrap();
        text.lines().filter_map(|l| l.strip_prefix("data: ")).map(str::to_string).collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

fn text_of(answer: &Value) -> &str {
    answer["choices"][0]["text"].as_str().unwrap()
}

#[test]
fn every_endpoint_answers_in_openai_shape() {
    let r = runs();
    let s = Server::all();
    let models: Value = Client::new().get(s.url("/v1/models")).send().unwrap().json().unwrap();
    let ids: Vec<&str> =
        models["data"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
    for run in [&r.gpt, &r.sft, &r.vae, &r.t2i, &r.p2p] {
        assert!(ids.contains(&name(run).as_str()), "{ids:?}");
    }
    let (gpt, sft) = (name(&r.gpt), name(&r.sft));

    let (status, a) = s.post(
        "/v1/completions",
        json!({"model": gpt, "prompt": "ROMEO:", "max_tokens": 5, "logprobs": 2}),
    );
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["object"], "text_completion");
    assert_eq!(
        a["usage"]["prompt_tokens"].as_u64().unwrap()
            + a["usage"]["completion_tokens"].as_u64().unwrap(),
        a["usage"]["total_tokens"].as_u64().unwrap()
    );
    assert_eq!(a["usage"]["completion_tokens"], 5);
    assert_eq!(a["choices"][0]["finish_reason"], "length");
    let lp = &a["choices"][0]["logprobs"];
    assert_eq!(lp["tokens"].as_array().unwrap().len(), 5);
    assert!(lp["token_logprobs"].as_array().unwrap().iter().all(|l| l.as_f64().unwrap() <= 0.0));
    assert_eq!(lp["top_logprobs"][0].as_object().unwrap().len(), 2);

    // Streams: chunks, then usage, then [DONE]; the deltas add up to the whole answer.
    let body = json!({"model": gpt, "prompt": "ROMEO:", "max_tokens": 12, "seed": 3, "stream": true, "stream_options": {"include_usage": true}});
    let events = s.stream("/v1/completions", body.clone());
    assert_eq!(events.last().unwrap(), "[DONE]");
    let chunks: Vec<Value> =
        events[..events.len() - 1].iter().map(|e| serde_json::from_str(e).unwrap()).collect();
    let streamed: String = chunks.iter().filter_map(|c| c["choices"][0]["text"].as_str()).collect();
    assert_eq!(chunks.last().unwrap()["usage"]["completion_tokens"], 12);
    assert_eq!(chunks[chunks.len() - 2]["choices"][0]["finish_reason"], "length");
    let mut whole = body;
    whole["stream"] = json!(false);
    assert_eq!(streamed, text_of(&s.post("/v1/completions", whole).1));

    let chat = json!({"model": sft, "messages": [{"role": "user", "content": "Say hi"}], "max_tokens": 8, "seed": 1, "logprobs": true, "top_logprobs": 1});
    let (status, a) = s.post("/v1/chat/completions", chat.clone());
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["object"], "chat.completion");
    assert_eq!(a["choices"][0]["message"]["role"], "assistant");
    let content = a["choices"][0]["message"]["content"].as_str().unwrap().to_string();
    let mut chat_stream = chat;
    chat_stream["stream"] = json!(true);
    let events = s.stream("/v1/chat/completions", chat_stream);
    assert_eq!(events.last().unwrap(), "[DONE]");
    let chunks: Vec<Value> =
        events[..events.len() - 1].iter().map(|e| serde_json::from_str(e).unwrap()).collect();
    assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
    assert!(chunks.iter().all(|c| c["object"] == "chat.completion.chunk"));
    let streamed: String =
        chunks.iter().filter_map(|c| c["choices"][0]["delta"]["content"].as_str()).collect();
    assert_eq!(streamed, content);

    let png = |v: &Value| {
        use base64::Engine;
        let b = base64::engine::general_purpose::STANDARD
            .decode(v["b64_json"].as_str().unwrap())
            .unwrap();
        assert!(b.starts_with(b"\x89PNG"));
        image::load_from_memory(&b).unwrap()
    };
    let (status, a) =
        s.post("/v1/images/generations", json!({"model": name(&r.vae), "n": 3, "seed": 1}));
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["data"].as_array().unwrap().len(), 3);
    assert_eq!(png(&a["data"][0]).width(), 28);
    let (status, a) = s.post(
        "/v1/images/generations",
        json!({"model": name(&r.t2i), "prompt": "a handwritten seven", "n": 2, "seed": 1}),
    );
    assert_eq!(status, 200, "{a}");
    png(&a["data"][1]);
    let (status, a) =
        s.post("/v1/images/generations", json!({"model": name(&r.t2i), "class": 3, "seed": 1}));
    assert_eq!(status, 200, "{a}");
    let (status, a) = s.post(
        "/v1/images/interpolations",
        json!({"model": name(&r.vae), "seed_a": 1, "seed_b": 2, "steps": 5}),
    );
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["data"].as_array().unwrap().len(), 5);

    // pix2pix: a 40×24 picture in, one of the same size out.
    let mut picture = Vec::new();
    image::RgbImage::from_fn(40, 24, |x, y| image::Rgb([x as u8 * 6, y as u8 * 10, 90]))
        .write_to(&mut std::io::Cursor::new(&mut picture), image::ImageFormat::Png)
        .unwrap();
    let form = reqwest::blocking::multipart::Form::new()
        .text("model", name(&r.p2p))
        .text("prompt", "translate")
        .part("image", reqwest::blocking::multipart::Part::bytes(picture).file_name("in.png"));
    let resp = Client::new().post(s.url("/v1/images/edits")).multipart(form).send().unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let a: Value = resp.json().unwrap();
    let out = png(&a["data"][0]);
    assert_eq!((out.width(), out.height()), (40, 24));

    let health: Value = Client::new().get(s.url("/health")).send().unwrap().json().unwrap();
    assert_eq!(health["status"], "ok");
    let metrics = Client::new().get(s.url("/metrics")).send().unwrap().text().unwrap();
    for name in [
        "genlab_requests_total{endpoint=\"/v1/completions\",status=\"200\"}",
        "genlab_generation_tokens_total",
        "genlab_queue_depth",
        "genlab_time_to_first_token_seconds_bucket",
        "genlab_request_duration_seconds_count",
    ] {
        assert!(metrics.contains(name), "{name} missing from /metrics:\n{metrics}");
    }
    let page = Client::new().get(s.url("/")).send().unwrap().text().unwrap();
    assert!(page.contains("genlab playground"));
}

#[test]
fn same_seed_gives_same_text_alone_or_batched() {
    let r = runs();
    let s = Server::all();
    let gpt = name(&r.gpt);
    let ask = |seed: u64| json!({"model": gpt, "prompt": "JULIET:", "max_tokens": 40, "seed": seed, "temperature": 1.0});
    let alone: Vec<String> =
        (0..4).map(|seed| text_of(&s.post("/v1/completions", ask(seed)).1).to_string()).collect();
    assert_eq!(alone[0], text_of(&s.post("/v1/completions", ask(0)).1));
    assert_ne!(alone[0], alone[1], "different seeds should differ");
    // The same four requests at once share decoding steps, and give the same texts. The
    // 40 tokens outgrow the 32-token context, so the cache crop runs in the batch too.
    let (s, ask) = (&s, &ask);
    let together: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|seed| {
                scope.spawn(move || text_of(&s.post("/v1/completions", ask(seed)).1).to_string())
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(alone, together);
    // n choices differ from one another, and choice 0 is the single answer.
    let mut many = ask(0);
    many["n"] = json!(3);
    let (_, a) = s.post("/v1/completions", many);
    let choices = a["choices"].as_array().unwrap();
    assert_eq!(choices.len(), 3);
    assert_eq!(choices[0]["text"], alone[0].as_str());
    assert_ne!(choices[1]["text"], choices[2]["text"]);
}

#[test]
fn stop_strings_never_leak() {
    let r = runs();
    let s = Server::all();
    let gpt = name(&r.gpt);
    let mut stopped = 0;
    for seed in 0..6 {
        let base = json!({"model": gpt, "prompt": "ROMEO:", "max_tokens": 60, "seed": seed});
        let full = text_of(&s.post("/v1/completions", base.clone()).1).to_string();
        // Stop at a piece of what the model writes anyway, so the stop string is met.
        let Some(stop) = full.get(10..12).filter(|p| !p.trim().is_empty()) else { continue };
        let mut body = base;
        body["stop"] = json!([stop]);
        let (_, a) = s.post("/v1/completions", body.clone());
        let text = text_of(&a);
        assert!(!text.contains(stop), "{text:?} contains the stop string {stop:?}");
        assert_eq!(a["choices"][0]["finish_reason"], "stop");
        assert!(full.starts_with(text));
        body["stream"] = json!(true);
        let events = s.stream("/v1/completions", body);
        let streamed: String = events
            .iter()
            .filter(|e| *e != "[DONE]")
            .map(|e| {
                serde_json::from_str::<Value>(e).unwrap()["choices"][0]["text"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert!(!streamed.contains(stop), "the stream leaked {stop:?}: {streamed:?}");
        assert_eq!(streamed, text);
        stopped += 1;
    }
    assert!(stopped >= 3, "only {stopped} seeds met their stop string");
}

#[test]
fn bad_requests_get_openai_errors() {
    let r = runs();
    let s = Server::start(&[&r.gpt, &r.vae, &r.p2p], &[]);
    let gpt = name(&r.gpt);
    let cases = [
        ("/v1/completions", json!({"model": "nope", "prompt": "a"}), 404, Some("model")),
        (
            "/v1/completions",
            json!({"model": gpt, "prompt": "a", "temperature": 5}),
            400,
            Some("temperature"),
        ),
        ("/v1/completions", json!({"model": gpt, "prompt": "a", "top_p": 1.5}), 400, Some("top_p")),
        ("/v1/completions", json!({"model": gpt, "prompt": "a", "top_p": 0}), 400, Some("top_p")),
        (
            "/v1/completions",
            json!({"model": gpt, "prompt": "a", "max_tokens": 0}),
            400,
            Some("max_tokens"),
        ),
        (
            "/v1/completions",
            json!({"model": gpt, "prompt": "a", "max_tokens": 1_000_000}),
            400,
            Some("max_tokens"),
        ),
        ("/v1/completions", json!({"model": gpt, "prompt": "a", "n": 0}), 400, Some("n")),
        ("/v1/completions", json!({"model": gpt, "prompt": "a", "n": 99}), 400, Some("n")),
        (
            "/v1/completions",
            json!({"model": gpt, "prompt": "a", "logprobs": 9}),
            400,
            Some("logprobs"),
        ),
        (
            "/v1/completions",
            json!({"model": gpt, "prompt": "a", "presence_penalty": 3}),
            400,
            Some("presence_penalty"),
        ),
        (
            "/v1/completions",
            json!({"model": gpt, "prompt": "a", "stop": ["", "x"]}),
            400,
            Some("stop"),
        ),
        (
            "/v1/completions",
            json!({"model": gpt, "prompt": "a", "logit_bias": {"999999": 1}}),
            400,
            Some("logit_bias"),
        ),
        ("/v1/completions", json!({"model": gpt, "prompt": ""}), 400, Some("prompt")),
        (
            "/v1/completions",
            json!({"model": gpt, "prompt": "ROMEO: ".repeat(40)}),
            400,
            Some("prompt"),
        ),
        ("/v1/completions", json!({"model": gpt, "prompt": "a", "temperature": "hot"}), 400, None),
        ("/v1/completions", json!({"model": gpt}), 400, None),
        ("/v1/completions", json!({"model": name(&r.vae), "prompt": "a"}), 400, Some("model")),
        (
            "/v1/chat/completions",
            json!({"model": gpt, "messages": [{"role": "user", "content": "hi"}]}),
            400,
            Some("model"),
        ),
        ("/v1/images/generations", json!({"model": name(&r.vae), "n": 0}), 400, Some("n")),
        ("/v1/images/generations", json!({"model": name(&r.vae), "class": 2}), 400, Some("class")),
        (
            "/v1/images/generations",
            json!({"model": name(&r.vae), "response_format": "url"}),
            400,
            Some("response_format"),
        ),
        ("/v1/images/generations", json!({"model": name(&r.p2p)}), 400, None),
        (
            "/v1/images/interpolations",
            json!({"model": name(&r.vae), "seed_a": 1, "seed_b": 2, "steps": 1}),
            400,
            Some("steps"),
        ),
    ];
    for (path, body, status, param) in cases {
        let (got, a) = s.post(path, body.clone());
        assert_eq!(got, status, "{path} {body} -> {a}");
        let message = a["error"]["message"]
            .as_str()
            .unwrap_or_else(|| panic!("{path} {body}: no OpenAI error in {a}"));
        assert!(!message.is_empty() && a["error"]["type"].is_string(), "{a}");
        if let Some(param) = param {
            assert_eq!(a["error"]["param"], param, "{path} {body} -> {a}");
        }
    }
    let client = Client::new();
    let resp = client.post(s.url("/v1/completions")).body("{not json").send().unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let resp = client.post(s.url("/v1/completions")).body(vec![b' '; 9 << 20]).send().unwrap();
    assert_eq!(resp.status().as_u16(), 413);
    assert!(resp.json::<Value>().unwrap()["error"]["message"].is_string());
    let form = reqwest::blocking::multipart::Form::new().text("model", name(&r.p2p));
    let resp = client.post(s.url("/v1/images/edits")).multipart(form).send().unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let form = reqwest::blocking::multipart::Form::new()
        .text("model", name(&r.p2p))
        .part("image", reqwest::blocking::multipart::Part::bytes(b"not a picture".to_vec()));
    let resp = client.post(s.url("/v1/images/edits")).multipart(form).send().unwrap();
    assert_eq!(resp.json::<Value>().unwrap()["error"]["param"], "image");
    let resp = client.get(s.url("/v2/nothing")).send().unwrap();
    assert_eq!(resp.status().as_u16(), 404);
    assert!(resp.json::<Value>().unwrap()["error"]["message"].is_string());
}

#[test]
fn api_key_guards_the_api() {
    let r = runs();
    let s = Server::start(&[&r.gpt], &["--api-key", "sesame"]);
    let client = Client::new();
    let body = json!({"model": name(&r.gpt), "prompt": "a", "max_tokens": 2});
    let resp = client.post(s.url("/v1/completions")).json(&body).send().unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    assert_eq!(resp.json::<Value>().unwrap()["error"]["code"], "invalid_api_key");
    let resp =
        client.post(s.url("/v1/completions")).bearer_auth("wrong").json(&body).send().unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    let resp =
        client.post(s.url("/v1/completions")).bearer_auth("sesame").json(&body).send().unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(client.get(s.url("/health")).send().unwrap().status().as_u16(), 200);
}

/// Starts a long stream and returns its response after the first chunk.
fn open_stream(s: &Server, model: &str) -> reqwest::blocking::Response {
    let body = json!({"model": model, "prompt": "ROMEO:", "max_tokens": 2048, "stream": true});
    let mut resp = Client::builder()
        .timeout(None)
        .build()
        .unwrap()
        .post(s.url("/v1/completions"))
        .json(&body)
        .send()
        .unwrap();
    let mut first = [0u8; 16];
    resp.read_exact(&mut first).unwrap();
    resp
}

fn metric(s: &Server, name: &str) -> f64 {
    let text = Client::new().get(s.url("/metrics")).send().unwrap().text().unwrap();
    text.lines().find_map(|l| l.strip_prefix(name)?.trim().parse().ok()).unwrap_or(0.0)
}

#[test]
fn a_client_that_leaves_frees_its_slot_and_a_full_queue_answers_429() {
    let r = runs();
    let gpt = name(&r.gpt);
    let s = Server::start(&[&r.gpt], &["--max-batch", "1", "--max-queue", "1"]);
    // The one slot is taken by a long stream; one request may wait; the next gets 429.
    let long = open_stream(&s, &gpt);
    let waiting = std::thread::spawn({
        let url = s.url("/v1/completions");
        let body = json!({"model": gpt, "prompt": "JULIET:", "max_tokens": 3});
        move || {
            Client::builder()
                .timeout(None)
                .build()
                .unwrap()
                .post(url)
                .json(&body)
                .send()
                .unwrap()
                .status()
                .as_u16()
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    while metric(&s, "genlab_queue_depth") < 1.0 {
        assert!(Instant::now() < deadline, "the second request never queued");
        std::thread::sleep(Duration::from_millis(20));
    }
    let (status, a) =
        s.post("/v1/completions", json!({"model": gpt, "prompt": "a", "max_tokens": 2}));
    assert_eq!(status, 429, "{a}");
    assert_eq!(a["error"]["type"], "rate_limit_error");
    // The long stream's client leaves: its slot goes to the waiting request at once, long
    // before its 2,048 tokens would have been generated.
    let left = Instant::now();
    drop(long);
    assert_eq!(waiting.join().unwrap(), 200);
    assert!(
        left.elapsed() < Duration::from_secs(20),
        "the slot was freed only after {:?}",
        left.elapsed()
    );
    assert!(metric(&s, "genlab_cancelled_total") >= 1.0);
    assert_eq!(metric(&s, "genlab_active_sequences"), 0.0);
}

#[test]
fn shutdown_lets_streams_finish_and_refuses_new_requests() {
    let r = runs();
    let gpt = name(&r.gpt);
    // A stream long enough to be running when the signal comes (the tiny model writes
    // about 17,000 tokens a second).
    let mut s = Server::start(&[&r.gpt], &["--max-tokens", "20000"]);
    let body = json!({"model": gpt, "prompt": "ROMEO:", "max_tokens": 20000, "stream": true});
    let mut resp = Client::builder()
        .timeout(None)
        .build()
        .unwrap()
        .post(s.url("/v1/completions"))
        .json(&body)
        .send()
        .unwrap();
    let mut first = [0u8; 16];
    resp.read_exact(&mut first).unwrap();
    // SIGTERM while the stream runs.
    let pid = s.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    std::thread::sleep(Duration::from_millis(100));
    // The server still listens while the stream runs, and turns new requests away.
    let refused = Client::new()
        .post(s.url("/v1/completions"))
        .json(&json!({"model": gpt, "prompt": "a"}))
        .send()
        .unwrap();
    assert_eq!(refused.status().as_u16(), 503);
    assert_eq!(refused.json::<Value>().unwrap()["error"]["type"], "service_unavailable_error");
    let mut rest = String::new();
    resp.read_to_string(&mut rest).unwrap();
    assert!(rest.trim_end().ends_with("data: [DONE]"), "the stream was cut: {rest:?}");
    let status = s.child.wait().unwrap();
    assert!(status.success(), "{status}");
}
