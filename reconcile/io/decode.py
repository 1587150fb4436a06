"""Bytes to text: UTF-8 when it is, else the charset charset-normalizer finds; checked and repaired."""

from __future__ import annotations

from reconcile.text.normalize import repair


def decode(data: bytes) -> tuple[str, tuple[str, ...]]:
    """Bytes to text: UTF-8 when it is, else the charset charset-normalizer finds.

    UTF-8 text with a few stray invalid bytes stays UTF-8 (each bad byte becomes
    U+FFFD and the first one is noted with its line): guessing another charset
    for the whole file would garble every correct character around it.
    Raises ``ValueError`` for data that is not text at all.
    """
    if b"\x00" in data[:8192]:
        raise ValueError("binary file (NUL bytes), not text")
    try:
        return data.decode("utf-8-sig"), ()
    except UnicodeDecodeError as err:
        first_bad = err.start
    lenient = data.decode("utf-8-sig", errors="replace")
    bad = lenient.count("\ufffd") - data.decode("utf-8-sig", errors="ignore").count("\ufffd")
    multibyte = sum(1 for ch in lenient if ord(ch) > 127 and ch != "\ufffd")
    if multibyte and bad <= max(3, multibyte // 20):
        line = data.count(b"\n", 0, first_bad) + 1
        return lenient, (f"invalid UTF-8 byte 0x{data[first_bad]:02x} at line {line} replaced ({bad} in all)",)
    from charset_normalizer import from_bytes  # only for bytes that are not UTF-8 (16 ms to import)

    best = from_bytes(data).best()
    if best is None:
        raise ValueError("binary file or unknown encoding, not text")
    return str(best), (f"decoded as {best.encoding}",)


class LineDecoder:
    """Decodes the lines of one streamed file: UTF-8, else the charset of the first line that is not.

    A Latin-1 or Windows-1252 file is found out at its first accented line; that
    charset is then tried first for the lines after it, so charset-normalizer
    runs once a file, not once a line.
    """

    def __init__(self) -> None:
        self.fallback: str | None = None

    def __call__(self, raw: bytes) -> tuple[str, tuple[str, ...]]:
        try:
            return raw.decode("utf-8-sig"), ()
        except UnicodeDecodeError:
            pass
        if self.fallback is not None:
            try:
                return raw.decode(self.fallback), (f"decoded as {self.fallback}",)
            except UnicodeDecodeError:
                pass
        text, notes = decode(raw)
        for note in notes:
            if note.startswith("decoded as "):
                self.fallback = note.removeprefix("decoded as ")
        return text, notes


def is_texty(text: str) -> bool:
    """Mostly printable: decoded binary garbage fails this."""
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return controls <= len(sample) * 0.01


def decode_text(data: bytes) -> tuple[str, tuple[str, ...]]:
    """Decoded, checked to be text, and repaired; raises ``ValueError`` otherwise."""
    if not data.strip():
        raise ValueError("empty file")
    text, notes = decode(data)
    if not is_texty(text):
        raise ValueError("binary file (control characters), not text")
    text, repaired = repair(text)
    if not text.strip():
        raise ValueError("empty file")
    return text, notes + repaired
