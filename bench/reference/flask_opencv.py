"""
The design the studio replaces, for the load benchmark's same-run comparison: Flask + OpenCV 4.6 as commonly
deployed, behind gunicorn with two sync worker processes. POST /api/renders decodes the upload, shrinks it to
1024 px, renders the four seed styles with OpenCV's defaults, writes them to a folder (PNG, or JPEG quality 90
with REFERENCE_FORMAT=jpeg, as the studio is asked to) and answers the same JSON shape as the studio; GET /api/renders/<id>/<style>.png serves a file. Not part of the product.

Run: MPLBACKEND=Agg gunicorn -w 2 -b 127.0.0.1:PORT --chdir bench/reference flask_opencv:app
(Debian packages python3-opencv, python3-flask, gunicorn.)
"""
import hashlib
import os
import tempfile

import cv2
import numpy as np
from flask import Flask, jsonify, request, send_from_directory

app = Flask(__name__)
OUT = os.environ.get("REFERENCE_OUT") or tempfile.mkdtemp(prefix="atelier-reference-")
MAX_SIDE = 1024
FORMAT = os.environ.get("REFERENCE_FORMAT", "png")
EXT, ENCODE_ARGS = (".jpg", [cv2.IMWRITE_JPEG_QUALITY, 90]) if FORMAT == "jpeg" else (".png", [])


def render(data: bytes) -> dict:
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if img is None:
        raise ValueError("not an image")
    h, w = img.shape[:2]
    scale = MAX_SIDE / max(h, w)
    if scale < 1:
        img = cv2.resize(img, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    grey, colour = cv2.pencilSketch(img, sigma_s=60, sigma_r=0.07, shade_factor=0.02)
    return {
        "sketch": grey,
        "color-sketch": colour,
        "oil": cv2.xphoto.oilPainting(img, 7, 1),
        "watercolor": cv2.stylization(img, sigma_s=60, sigma_r=0.45),
    }


@app.post("/api/renders")
def create():
    data = request.get_data()
    rid = hashlib.sha256(data).hexdigest()[:32]
    try:
        arts = render(data)
    except ValueError as e:
        return jsonify(error={"code": "UNSUPPORTED_MEDIA_TYPE", "message": str(e)}), 415
    urls = {}
    for style, pixels in arts.items():
        ok, encoded = cv2.imencode(EXT, pixels, ENCODE_ARGS)
        with open(os.path.join(OUT, f"{rid}.{style}{EXT}"), "wb") as f:
            f.write(encoded.tobytes())
        urls[style] = f"/api/renders/{rid}/{style}{EXT}"
    h, w = arts["oil"].shape[:2]
    return jsonify(id=rid, width=w, height=h, styles=list(arts), cached=False, artworks=urls), 201


@app.get("/api/renders/<rid>/<name>")
def artwork(rid, name):
    return send_from_directory(OUT, f"{rid}.{name}")


@app.get("/readyz")
def ready():
    return jsonify(status="ready")
