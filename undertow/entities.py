"""URLs, hashtags and mentions: extraction from text and URL normalisation.

Example:
    >>> extract_urls("see https://www.Example.com/a/?utm_source=x&id=3#top now")
    ['https://www.Example.com/a/?utm_source=x&id=3#top']
    >>> normalize_url("https://www.Example.com/a/?utm_source=x&id=3#top")
    'example.com/a?id=3'
    >>> extract_hashtags("新品 #小米SU7# and #EV #ev")
    ['小米SU7', 'EV', 'ev']
    >>> extract_mentions("@alice 你好 @张三 hi")
    ['alice', '张三']
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

_URL_HINT = re.compile(r"http|www\.", re.IGNORECASE)
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'，。！？、）)\]}]+", re.IGNORECASE)
# "#tag" (Twitter, Reddit, YouTube) or "#话题#" (Weibo: a topic closed by a second '#').
_WEIBO_TAG = re.compile(r"#([^#\s]{1,60})#")
_HASHTAG = re.compile(r"(?<![\w&/])[#＃](\w+)")
_MENTION = re.compile(r"(?<![\w.@/])@([\w\-\u4e00-\u9fff]{1,50})")
_TRAILING = ".,;:!?…"

#: Query parameters that identify a campaign or a click, not the content.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "msclkid", "igshid", "mc_cid", "mc_eid", "yclid",
        "spm", "share_source", "share_medium", "share_plat", "share_session_id",
        "share_from", "share_tag", "vd_source", "from_source", "si", "feature", "ref",
        "ref_src", "ref_url", "s", "t", "_ga", "cmpid", "wt_mc", "wt.mc_id",
    }
)


def extract_urls(text: str) -> list[str]:
    """Every URL in ``text``, as written, trailing punctuation removed."""
    if "http" not in text and "www." not in text and not _URL_HINT.search(text):
        return []
    return [u.rstrip(_TRAILING) for u in _URL.findall(text)]


def extract_hashtags(text: str) -> list[str]:
    """Hashtags without their marks, in order: Weibo ``#topic#`` first, then ``#tag``."""
    if "#" not in text and "＃" not in text:
        return []
    tags = [t.strip() for t in _WEIBO_TAG.findall(text)]
    rest = _WEIBO_TAG.sub(" ", text) if tags else text
    tags.extend(_HASHTAG.findall(rest))
    return [t for t in tags if t]


def extract_mentions(text: str) -> list[str]:
    """Mentioned handles without the ``@``."""
    if "@" not in text:
        return []
    return _MENTION.findall(text)


def normalize_url(url: str) -> str:
    """A comparable form of ``url``: no scheme, no ``www.``, host lower-cased,
    tracking parameters (``utm_*``, ``fbclid``, ``spm``…) and fragment dropped,
    remaining parameters sorted, no trailing slash."""
    raw = url.strip()
    if "://" not in raw:
        raw = "http://" + raw
    try:
        parts = urlsplit(raw)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return url.strip().lower()
    if host.startswith("www."):
        host = host[4:]
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    query = ""
    if parts.query:
        kept = [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS
        ]
        query = urlencode(sorted(kept))
    path = parts.path.rstrip("/")
    return host + path + ("?" + query if query else "")


def normalize_urls(urls: list[str]) -> list[str]:
    """:func:`normalize_url` for each URL, in order."""
    return [normalize_url(u) for u in urls]
