//! Tests of the chat template.
use serde_json::json;

use super::*;
use crate::{Bpe, CharTokenizer, Trainer};

const TEXT: &str = "You are terse. Add 2 and 3. 5 Now 10 and 7? 17 — café ünïcödé 日本";

fn conversation_5() -> Vec<Message> {
    vec![
        Message::system("You are terse."),
        Message::user("Add 2 and 3."),
        Message::assistant("5"),
        Message::user("Now 10 and 7? café"),
        Message::assistant("17 — 日本"),
    ]
}

fn bpe() -> Bpe {
    Trainer::new(300).train(&TEXT.repeat(20)).unwrap()
}

fn template(tok: &dyn Tokenizer) -> ChatTemplate {
    ChatTemplate::new(tok.vocab_size() as u32)
}

fn round_trip(tok: &dyn Tokenizer) {
    let chat = template(tok);
    let mut convos = vec![conversation_5(), Vec::new()];
    let mut with_empty = conversation_5();
    with_empty[0].content.clear();
    with_empty[4].content.clear();
    convos.push(with_empty);
    convos.push(vec![Message::user(""), Message::assistant("")]);
    for messages in convos {
        let (ids, mask) = chat.render(tok, &messages).unwrap();
        assert_eq!(ids.len(), mask.len());
        assert_eq!(chat.parse(tok, &ids).unwrap(), messages);
        let specials = ids.iter().filter(|&&id| chat.is_special(id)).count();
        assert_eq!(specials, 2 * messages.len());
    }
}

#[test]
fn render_parse_round_trips_multi_turn_with_char_tokenizer() {
    round_trip(&CharTokenizer::train(TEXT));
}

#[test]
fn render_parse_round_trips_multi_turn_with_bpe() {
    let bpe = bpe();
    assert!(bpe.vocab_size() > 256, "the BPE learned some merges");
    round_trip(&bpe);
}

#[test]
fn special_ids_follow_the_base_vocabulary() {
    let chat = ChatTemplate::new(10);
    assert_eq!(chat.vocab_size(), 14);
    assert_eq!(chat.role_id(Role::System), 10);
    assert_eq!(chat.role_id(Role::User), 11);
    assert_eq!(chat.role_id(Role::Assistant), 12);
    assert_eq!(chat.end_id(), 13);
    assert!(!chat.is_special(9));
    assert!((10..14).all(|id| chat.is_special(id)));
    assert!(!chat.is_special(14));
    assert!(!ChatTemplate::new(u32::MAX).is_special(3), "no wrap-around");
}

#[test]
fn mask_is_true_exactly_on_assistant_content_and_its_end() {
    let tok = CharTokenizer::train("abxyz");
    let chat = template(&tok); // a=0 b=1 x=2 y=3 z=4; specials 5..=8
    let messages = [
        Message::system("z"),
        Message::user("ab"),
        Message::assistant("xy"),
        Message::user(""),
        Message::assistant(""),
    ];
    let (ids, mask) = chat.render(&tok, &messages).unwrap();
    let (s, u, a, e) = (5, 6, 7, 8);
    assert_eq!(ids, [s, 4, e, u, 0, 1, e, a, 2, 3, e, u, e, a, e]);
    let (t, f) = (true, false);
    assert_eq!(mask, [f, f, f, f, f, f, f, f, t, t, t, f, f, f, t]);
    assert_eq!(
        chat.render_pair(&tok, "ab", "xy").unwrap(),
        (vec![u, 0, 1, e, a, 2, 3, e], vec![f, f, f, f, f, t, t, t])
    );
}

#[test]
fn generation_prompt_ends_with_the_assistant_id() {
    let tok = CharTokenizer::train(TEXT);
    let chat = template(&tok);
    let messages = &conversation_5()[..2];
    let prompt = chat.generation_prompt(&tok, messages).unwrap();
    let (ids, _) = chat.render(&tok, messages).unwrap();
    assert_eq!(prompt[..ids.len()], ids[..]);
    assert_eq!(prompt[ids.len()..], [chat.role_id(Role::Assistant)]);
    assert_eq!(
        chat.display(&tok, &prompt).unwrap(),
        "<|system|>You are terse.<|end|><|user|>Add 2 and 3.<|end|><|assistant|>"
    );
}

#[test]
fn decode_response_stops_at_end_and_reports_ended() {
    let bpe = bpe();
    let chat = template(&bpe);
    let mut ids = bpe.encode("17 — 日本");
    assert_eq!(chat.decode_response(&bpe, &ids).unwrap(), ("17 — 日本".to_string(), false));
    ids.push(chat.end_id());
    ids.extend(bpe.encode("ignored"));
    ids.push(chat.role_id(Role::User));
    assert_eq!(chat.decode_response(&bpe, &ids).unwrap(), ("17 — 日本".to_string(), true));
    assert_eq!(chat.decode_response(&bpe, &[chat.end_id()]).unwrap(), (String::new(), true));
    assert_eq!(chat.decode_response(&bpe, &[]).unwrap(), (String::new(), false));
}

#[test]
fn decode_response_rejects_a_special_id_inside_a_response() {
    let tok = CharTokenizer::train(TEXT);
    let chat = template(&tok);
    let mut ids = tok.encode("5 and").unwrap();
    ids.insert(2, chat.role_id(Role::User));
    let err = chat.decode_response(&tok, &ids).unwrap_err().to_string();
    assert!(err.contains("position 2") && err.contains("<|user|>"), "{err}");
    let err = chat.decode_response(&tok, &[0, chat.vocab_size() as u32]).unwrap_err();
    assert!(err.to_string().contains("position 1"), "{err}");
}

#[test]
fn render_refuses_a_tokenizer_of_another_vocab_size() {
    let tok = CharTokenizer::train("abc");
    let chat = ChatTemplate::new(5);
    let err = chat.render(&tok, &[Message::user("a")]).unwrap_err().to_string();
    assert!(err.contains('3') && err.contains('5'), "{err}");
    assert!(chat.parse(&tok, &[]).is_err());
    assert!(chat.decode_response(&tok, &[]).is_err());
    assert!(chat.display(&tok, &[]).is_err());
    // And content the tokenizer cannot encode is the tokenizer's own error.
    let chat = template(&tok);
    let err = chat.render(&tok, &[Message::user("abz")]).unwrap_err();
    assert!(matches!(err, TokenizerError::UnknownChar { ch: 'z', .. }), "{err}");
    // A template too large for u32 ids is refused rather than wrapping.
    let err = ChatTemplate::new(u32::MAX).render(&tok, &[]).unwrap_err();
    assert!(err.to_string().contains("no room"), "{err}");
}

#[test]
fn parse_names_the_position_of_a_malformed_sequence() {
    let tok = CharTokenizer::train("abc");
    let chat = template(&tok); // specials: system 3, user 4, assistant 5, end 6
    let cases: [(&[u32], &str); 7] = [
        (&[0, 6], "position 0: content id 0 without a role token"),
        (&[4, 0, 6, 6], "position 3: <|end|> without a role token"),
        (&[4, 0, 6, 4, 1], "position 5: the user message opened at position 3 has no <|end|>"),
        (
            &[4, 0, 5, 1, 6],
            "position 2: <|assistant|> inside the user message opened at position 0",
        ),
        (&[4, 0, 6, 5, 1], "use decode_response"),
        (&[4, 0, 7, 6], "position 2: id 7 is outside the chat vocabulary of 7 ids"),
        (&[4, u32::MAX, 6], "position 1: id 4294967295 is outside"),
    ];
    for (ids, want) in cases {
        let err = chat.parse(&tok, ids).unwrap_err().to_string();
        assert!(err.contains(want), "{ids:?}: {err:?} should contain {want:?}");
    }
    assert_eq!(chat.parse(&tok, &[5, 6]).unwrap(), [Message::assistant("")]);
}

#[test]
fn display_names_specials_and_decodes_the_rest() {
    let bpe = bpe();
    let chat = template(&bpe);
    let (ids, _) = chat.render_pair(&bpe, "Add 2 and 3.", "5").unwrap();
    assert_eq!(
        chat.display(&bpe, &ids).unwrap(),
        "<|user|>Add 2 and 3.<|end|><|assistant|>5<|end|>"
    );
    let err = chat.display(&bpe, &[chat.vocab_size() as u32]).unwrap_err();
    assert!(err.to_string().contains("position 0"), "{err}");
}

#[test]
fn save_load_round_trips_with_the_format_tag() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/chat.json");
    let chat = ChatTemplate::new(260);
    chat.save(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value, json!({"format": "genlab-chat-1", "base_vocab": 260}));
    assert_eq!(ChatTemplate::load(&path).unwrap(), chat);
    assert_eq!(serde_json::to_value(&chat).unwrap(), value, "serde uses the same shape");
    assert_eq!(serde_json::from_value::<ChatTemplate>(value).unwrap(), chat);
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
}

#[test]
fn load_gives_clear_errors_for_wrong_tag_bad_json_and_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chat.json");
    std::fs::write(&path, r#"{"format": "genlab-bpe", "base_vocab": 260}"#).unwrap();
    let err = ChatTemplate::load(&path).unwrap_err().to_string();
    assert!(err.contains("chat.json") && err.contains("\"genlab-chat-1\""), "{err}");
    assert!(err.contains("\"genlab-bpe\""), "{err}");
    let bad = json!({"format": "nope", "base_vocab": 1});
    assert!(serde_json::from_value::<ChatTemplate>(bad).is_err());

    std::fs::write(&path, r#"{"format": "genlab-chat-1", "#).unwrap();
    let err = ChatTemplate::load(&path).unwrap_err();
    assert!(matches!(err, TokenizerError::Parse { .. }), "{err}");

    std::fs::write(&path, r#"{"format": "genlab-chat-1"}"#).unwrap();
    let err = ChatTemplate::load(&path).unwrap_err().to_string();
    assert!(err.contains("base_vocab"), "{err}");

    std::fs::write(&path, r#"{"format": "genlab-chat-1", "base_vocab": 4294967295}"#).unwrap();
    let err = ChatTemplate::load(&path).unwrap_err().to_string();
    assert!(err.contains("no room"), "{err}");

    let err = ChatTemplate::load(dir.path().join("missing.json")).unwrap_err();
    assert!(matches!(err, TokenizerError::Io { .. }), "{err}");
    assert!(err.to_string().contains("missing.json"), "{err}");
}

#[test]
fn conversation_accepts_both_record_shapes() {
    let pair = json!({"prompt": "2+3?", "response": "5", "task": "add"});
    assert_eq!(conversation(&pair).unwrap(), [Message::user("2+3?"), Message::assistant("5")]);
    let chat = json!({"task": "x", "messages": [
        {"role": "system", "content": "Be terse."},
        {"role": "user", "content": "2+3?"},
        {"role": "assistant", "content": "5", "weight": 1},
    ]});
    assert_eq!(
        conversation(&chat).unwrap(),
        [Message::system("Be terse."), Message::user("2+3?"), Message::assistant("5"),]
    );
    // Messages deserialise from the same JSON with serde.
    let m: Message = serde_json::from_value(json!({"role": "user", "content": "hi"})).unwrap();
    assert_eq!(m, Message::user("hi"));
}

#[test]
fn conversation_rejects_each_bad_shape_naming_the_problem() {
    let cases = [
        (json!([1, 2]), "must be a JSON object"),
        (json!({"task": "x", "text": "y"}), "found keys [\"task\", \"text\"]"),
        (json!({"prompt": "a"}), "no \"response\" key"),
        (json!({"response": "a"}), "no \"prompt\" key"),
        (json!({"prompt": 3, "response": "a"}), "\"prompt\" must be a string, found a number"),
        (json!({"messages": [], "prompt": "a"}), "both"),
        (json!({"messages": "hi"}), "\"messages\" must be an array"),
        (json!({"messages": []}), "\"messages\" is empty"),
        (json!({"messages": ["hi"]}), "messages[0] must be an object"),
        (json!({"messages": [{"content": "hi"}]}), "messages[0] has no \"role\" key"),
        (
            json!({"messages": [{"role": "user", "content": "a"}, {"role": "bot", "content": "b"}]}),
            "messages[1]: unknown role \"bot\"",
        ),
        (json!({"messages": [{"role": "assistant"}]}), "messages[0] has no \"content\" key"),
        (json!({"messages": [{"role": "user", "content": "a"}]}), "no assistant message"),
    ];
    for (record, want) in cases {
        let err = conversation(&record).unwrap_err().to_string();
        assert!(err.contains(want), "{record}: {err:?} should contain {want:?}");
    }
}
