"""Fetch what a user of an installed recledger sees, from a running `recledger serve`.

Used by scripts/wheel-check.sh, in a virtualenv that holds the wheel and its run-time
dependencies only (so the standard library, no httpx). Signs in with the token given, then
fetches the sign-in page, the plans, a plan's page, /docs, /openapi.json and every
stylesheet and script those pages link to; exits non-zero, naming the URL, on any status
other than 200 or a page without what it must show.

    python wheel_fetch.py BASE_URL TOKEN PLAN_ID
"""

from __future__ import annotations

import re
import sys
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def main(base: str, token: str, plan: str) -> None:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(path: str, must_show: str = "", data: dict[str, str] | None = None) -> str:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with opener.open(base + path, data=body, timeout=30) as response:
                text: str = response.read().decode()
                status = response.status
        except urllib.error.HTTPError as error:
            sys.exit(f"wheel check: {path} answered {error.code}: {error.read()[:300]!r}")
        if status != 200 or must_show not in text:
            sys.exit(f"wheel check: {path} answered {status} without {must_show!r}")
        print(f"  {status} {path} ({len(text):,} characters)")
        return text

    signin = get("/signin", "csrf")
    found = re.search(r'name="csrf" value="([^"]+)"', signin)
    if not found:
        sys.exit("wheel check: /signin holds no csrf field")
    pages = [signin, get("/signin", "Sign out", {"token": token, "csrf": found[1]})]
    pages.append(get("/plans", plan))
    pages.append(get(f"/plans/{plan}", "Recommendation"))
    pages.append(get("/docs", "swagger-ui"))
    get("/openapi.json", '"openapi"')
    for asset in sorted({a for page in pages for a in ASSET.findall(page)}):
        get(asset)


if __name__ == "__main__":
    main(*sys.argv[1:4])
