"""Third-party UI kits as vendors ship them, served by the sandbox from ``node_modules``.

``scripts/dev.sh setup`` installs the packages pinned in ``package.json`` here
(``npm ci``). A system built on a kit registers :func:`blueprint`: its pages
then load the real library from ``/static/vendor/<package>/...``. The
blueprint also serves one gallery page per kit under ``/_sandbox/kits/`` (the
widget tests' pages: each control fed by the real library, its model shown
beside it) and the AJAX search they use.
"""

from __future__ import annotations

import time
from pathlib import Path

from flask import Blueprint, Response, abort, jsonify, render_template, request, send_from_directory

from sandbox.codes import table

HERE = Path(__file__).parent
NODE_MODULES = HERE / "node_modules"
#: what may be served: the browser builds of each package
SERVED = ("layui/dist/", "jquery/dist/", "select2/dist/", "vue/dist/", "element-plus/dist/",
          "ant-design-vue/dist/", "dayjs/", "select2-4.0/dist/")
KITS = ("layui", "select2", "select2-4.0", "element", "antd")


def installed() -> bool:
    return all((NODE_MODULES / p).is_dir() for p in SERVED)


def charges() -> list[dict[str, str]]:
    """Every charge as ``{id, text}`` (id = the charge's procuratorate code)."""
    return [{"id": r["procuratorate_code"], "text": r["name"]} for r in table("charges")]


def search_charges(q: str, limit: int = 20) -> list[dict[str, str]]:
    """Charges whose name contains ``q`` (nothing for a blank query)."""
    q = q.strip()
    return [c for c in charges() if q and q in c["text"]][:limit]


def blueprint(*, search_delay_s: float = 0.15) -> Blueprint:
    bp = Blueprint("uikits", __name__, template_folder="templates")

    @bp.get("/static/vendor/<path:filename>")
    def vendor(filename: str) -> Response:
        if not filename.startswith(SERVED) or ".." in filename:
            abort(404)
        if not installed():
            return Response("UI kits not installed: run scripts/dev.sh setup", 503, mimetype="text/plain")
        return send_from_directory(NODE_MODULES, filename, max_age=3600)

    @bp.get("/_sandbox/kits/<kit>")
    def gallery(kit: str) -> str:
        if kit not in KITS:
            abort(404)
        # select2-4.0: the select2 page on select2 4.0.13 (what Django admin ships) instead of 4.1
        return render_template(f"kits/{kit.split('-')[0]}.html", charges=charges(), pkg=kit)

    @bp.get("/_sandbox/kits/api/charges")
    def charge_search() -> Response:
        time.sleep(search_delay_s)  # an answer that takes a moment, as a real search does
        return jsonify(results=search_charges(request.args.get("q", "")))

    return bp
