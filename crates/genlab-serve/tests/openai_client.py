#!/usr/bin/env python3
"""Checks `genlab serve` with the official OpenAI Python client (openai >= 1.0).

    python openai_client.py http://127.0.0.1:PORT/v1 TEXT_MODEL CHAT_MODEL_OR_- \
        IMAGE_MODEL_OR_- TRANSLATE_MODEL_OR_- [API_KEY]

A `-` skips that part. Each check prints a line; the first failed assert stops the script
with a traceback (exit code 1). The last line is "openai client test passed".
"""

import base64
import struct
import sys
import zlib

import openai
from openai import OpenAI

PNG_SIGNATURE = b"\x89PNG"


def gradient_png(width: int = 64, height: int = 64) -> bytes:
    """A width x height 8-bit RGB PNG (a red/green gradient), written with zlib and struct only."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    rows = []
    for y in range(height):
        row = bytearray([0])  # filter type 0 (none) for each scanline
        for x in range(width):
            row += bytes((x * 255 // (width - 1), y * 255 // (height - 1), 128))
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bits, truecolour
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


def is_png(b64: str) -> bool:
    return base64.b64decode(b64).startswith(PNG_SIGNATURE)


def check_text(client: OpenAI, model: str) -> None:
    settings = dict(model=model, prompt="ROMEO:", max_tokens=20, seed=1, temperature=0.8)

    first = client.completions.create(**settings)
    assert len(first.choices) == 1, first
    choice = first.choices[0]
    assert choice.text, f"empty completion: {first}"
    assert 1 <= first.usage.completion_tokens <= 20, first.usage
    assert choice.finish_reason in ("length", "stop"), choice.finish_reason
    print(f"completion: {choice.text!r} ({first.usage.completion_tokens} tokens, {choice.finish_reason})")

    again = client.completions.create(**settings)
    assert again.choices[0].text == choice.text, (again.choices[0].text, choice.text)
    print("same seed, same text: ok")

    # Streaming: the deltas join to the same text; the last chunk carries the usage.
    chunks = list(client.completions.create(**settings, stream=True, stream_options={"include_usage": True}))
    streamed = "".join(c.choices[0].text for c in chunks if c.choices)
    assert streamed == choice.text, (streamed, choice.text)
    last = chunks[-1]
    assert last.usage is not None, f"the last chunk has no usage: {last}"
    assert last.usage.completion_tokens == first.usage.completion_tokens, (last.usage, first.usage)
    print(f"stream: {len(chunks)} chunks join to the same text; usage {last.usage.completion_tokens} tokens: ok")

    stopped = client.completions.create(model=model, prompt="ROMEO:", max_tokens=40, seed=1, stop=["\n"])
    assert "\n" not in stopped.choices[0].text, stopped.choices[0].text
    print(f"stop at newline: {stopped.choices[0].text!r} ({stopped.choices[0].finish_reason}): ok")

    several = client.completions.create(model=model, prompt="ROMEO:", max_tokens=10, seed=2, n=3)
    assert sorted(c.index for c in several.choices) == [0, 1, 2], several.choices
    print("n=3: choices 0, 1, 2: ok")

    with_lp = client.completions.create(model=model, prompt="ROMEO:", max_tokens=10, seed=4, logprobs=2)
    lp = with_lp.choices[0].logprobs
    assert lp is not None, with_lp
    assert len(lp.tokens) == len(lp.token_logprobs) > 0, lp
    # log-softmax values are <= 0; allow float rounding of a certain token.
    assert all(x <= 1e-6 for x in lp.token_logprobs), lp.token_logprobs
    assert all(len(top) <= 2 for top in lp.top_logprobs or []), lp.top_logprobs
    print(f"logprobs=2: {len(lp.tokens)} tokens, logprobs {[round(x, 2) for x in lp.token_logprobs[:5]]}...: ok")

    try:
        client.completions.create(model="no-such-model", prompt="x", max_tokens=1)
        raise AssertionError("an unknown model was accepted")
    except openai.NotFoundError as e:
        print(f"unknown model -> 404 NotFoundError: ok ({e.message[:60]}...)")
    try:
        client.completions.create(model=model, prompt="x", max_tokens=1, temperature=5)
        raise AssertionError("temperature=5 was accepted")
    except openai.BadRequestError as e:
        print(f"temperature=5 -> 400 BadRequestError: ok ({e.message[:60]}...)")


def check_chat(client: OpenAI, model: str) -> None:
    settings = dict(model=model, messages=[{"role": "user", "content": "Say hi"}], max_tokens=20, seed=3)
    answer = client.chat.completions.create(**settings)
    message = answer.choices[0].message
    assert message.role == "assistant", message
    assert isinstance(message.content, str), message
    print(f"chat: {message.content!r} ({answer.choices[0].finish_reason})")

    deltas = []
    for chunk in client.chat.completions.create(**settings, stream=True):
        if chunk.choices and chunk.choices[0].delta.content:
            deltas.append(chunk.choices[0].delta.content)
    assert "".join(deltas) == message.content, ("".join(deltas), message.content)
    print(f"chat stream: {len(deltas)} deltas join to the same content: ok")


def check_image(client: OpenAI, model: str) -> None:
    result = client.images.generate(
        model=model, prompt="a handwritten seven", n=2, response_format="b64_json", extra_body={"seed": 5}
    )
    assert len(result.data) == 2, result
    assert all(d.b64_json and is_png(d.b64_json) for d in result.data), "an answer is not a PNG"
    sizes = [len(base64.b64decode(d.b64_json)) for d in result.data]
    print(f"images: 2 PNGs ({sizes} bytes): ok")


def check_translate(client: OpenAI, model: str) -> None:
    png = gradient_png()
    result = client.images.edit(model=model, image=("in.png", png, "image/png"), prompt="translate")
    assert len(result.data) == 1, result
    assert result.data[0].b64_json and is_png(result.data[0].b64_json), "the translation is not a PNG"
    print(f"translate: a {len(png)}-byte 64x64 PNG in, a PNG out: ok")


def main() -> None:
    args = sys.argv[1:]
    if len(args) not in (5, 6):
        sys.exit(__doc__)
    base_url, text, chat, image, translate = args[:5]
    api_key = args[5] if len(args) == 6 and args[5] else "none"
    given = lambda name: None if name == "-" else name  # noqa: E731
    chat, image, translate = given(chat), given(image), given(translate)

    # No retries: a failure should show at once, not after back-off.
    client = OpenAI(base_url=base_url, api_key=api_key, max_retries=0, timeout=120)

    ids = {m.id for m in client.models.list()}
    for name in filter(None, [text, chat, image, translate]):
        assert name in ids, f"{name} is not in /models: {sorted(ids)}"
    print(f"models: {sorted(ids)}")

    check_text(client, text)
    if chat:
        check_chat(client, chat)
    else:
        print("chat skipped: no chat model given")
    if image:
        check_image(client, image)
    else:
        print("images skipped: no image model given")
    if translate:
        check_translate(client, translate)
    else:
        print("translate skipped: no translate model given")
    print("openai client test passed")


if __name__ == "__main__":
    main()
