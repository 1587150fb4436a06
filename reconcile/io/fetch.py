"""Web addresses as inputs: a fact-checker pastes article links.

A page is fetched with a timeout, a size cap (``--max-bytes``) and a check of
its content type, then read (``read.fetched_documents``) as a saved page is (trafilatura), with the URL as
the document's path and the site as its source when the page names none.  A
failure (offline, no such host, an HTTP error, a PDF) is one ``Skipped`` line
naming the URL.
"""

from __future__ import annotations

import http.client
import socket
import urllib.error
import urllib.request
from email.message import Message

from reconcile.io.fields import InputOptions

USER_AGENT = "reconcile/0.1"
READABLE_TYPES = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/rss+xml": "feed",
    "application/atom+xml": "feed",
    "application/xml": None,
    "text/xml": None,
    "text/plain": None,
    "application/json": "jsonl",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "text/csv": "csv",
}
"""Content types read, with the format they imply (``None``: sniffed from the bytes)."""


class FetchError(Exception):
    """A web address that gave no readable page, with a one-line reason."""


def fetch(url: str, options: InputOptions) -> tuple[bytes, str | None]:
    """The body of ``url`` and the format its content type names; ``FetchError`` with a one-line reason otherwise."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/html,*/*;q=0.5"})
    try:
        with urllib.request.urlopen(request, timeout=options.fetch_timeout) as response:
            headers: Message = response.headers
            content_type = (headers.get_content_type() or "").lower()
            if content_type not in READABLE_TYPES:
                raise FetchError(f"content type {content_type} is not a page, feed or text")
            length = headers.get("Content-Length")
            if length and length.isdigit() and int(length) > options.max_bytes:
                raise FetchError(f"page is {length} bytes, over the {options.max_bytes}-byte limit (--max-bytes)")
            body = response.read(options.max_bytes + 1)
            if len(body) > options.max_bytes:
                raise FetchError(f"page is over the {options.max_bytes}-byte limit (--max-bytes)")
    except urllib.error.HTTPError as err:
        raise FetchError(f"HTTP {err.code} {err.reason}") from err
    except urllib.error.URLError as err:
        reason = err.reason
        if isinstance(reason, socket.gaierror):
            raise FetchError("cannot resolve the host (offline, or no such site)") from err
        if isinstance(reason, TimeoutError):
            raise FetchError(f"no answer within {options.fetch_timeout:g} s") from err
        raise FetchError(f"cannot fetch ({_one_line(reason)})") from err
    except TimeoutError as err:
        raise FetchError(f"no answer within {options.fetch_timeout:g} s") from err
    except (OSError, http.client.HTTPException) as err:  # a connection reset or refused midway, an HTTP protocol error
        raise FetchError(f"cannot fetch ({_one_line(err)})") from err
    return body, READABLE_TYPES[content_type]


def _one_line(value: object) -> str:
    text = str(getattr(value, "strerror", None) or value)
    return text.splitlines()[0] if text else value.__class__.__name__
