#!/usr/bin/python3
"""Child of bench/upload-cost.bench.ts: the reference's side of one upload's work, exactly as
bench/reference/flask_opencv.py does it (imdecode, INTER_AREA shrink to 1024 px, pencilSketch, oilPainting,
stylization, four imencode JPEG calls), without Flask. Usage: /usr/bin/python3 bench/upload-cost-opencv.py DIR N
QUALITY. Prints one JSON object {decode, filters, encode, width, height}: per upload, CPU seconds of the process
(time.process_time, all threads; OpenCV's thread count is left as the reference leaves it).
"""
import json
import sys
import time

import cv2
import numpy as np

MAX_SIDE = 1024


def main():
    folder, n, quality = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    out = {"decode": [], "filters": [], "encode": [], "width": [], "height": []}
    for i in range(n):
        with open(f"{folder}/{i}.jpg", "rb") as f:
            data = f.read()
        t = time.process_time()
        img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        h, w = img.shape[:2]
        scale = MAX_SIDE / max(h, w)
        if scale < 1:
            img = cv2.resize(img, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
        out["decode"].append(time.process_time() - t)
        out["height"].append(img.shape[0])
        out["width"].append(img.shape[1])
        t = time.process_time()
        grey, colour = cv2.pencilSketch(img, sigma_s=60, sigma_r=0.07, shade_factor=0.02)
        arts = [grey, colour, cv2.xphoto.oilPainting(img, 7, 1), cv2.stylization(img, sigma_s=60, sigma_r=0.45)]
        out["filters"].append(time.process_time() - t)
        t = time.process_time()
        for pixels in arts:
            cv2.imencode(".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, quality])
        out["encode"].append(time.process_time() - t)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
