#!/usr/bin/python3
"""Times OpenCV 4.6's NPR functions on one image, single-threaded, for bench/filters.bench.ts.

Usage: /usr/bin/python3 bench/opencv-time.py IMAGE.png REPEATS [NAMES]
Prints one JSON object: {name: [cpu seconds of each repeat]}; NAMES defaults to all five functions.
Or: /usr/bin/python3 bench/opencv-time.py IMAGE.png --serve
reads one function name per line on stdin, runs it once and prints its CPU seconds on a line of its own, so
that a caller can alternate OpenCV's repeats with its own (both sides then see the same load).
CPU time of the process (time.process_time) is used, like the TypeScript side, so other load on a shared
machine counts less; with cv2.setNumThreads(1) it equals the work done.
"""
import json
import sys
import time

import cv2

cv2.setNumThreads(1)
FUNCTIONS = {
    'pencilSketch': lambda img: cv2.pencilSketch(img, sigma_s=60, sigma_r=0.07, shade_factor=0.02),
    'oilPainting': lambda img: cv2.xphoto.oilPainting(img, 7, 1),
    'stylization': lambda img: cv2.stylization(img, sigma_s=60, sigma_r=0.45),
    'edgePreservingFilter': lambda img: cv2.edgePreservingFilter(img, flags=1, sigma_s=60, sigma_r=0.4),
    'detailEnhance': lambda img: cv2.detailEnhance(img, sigma_s=10, sigma_r=0.15),
}


def main():
    path = sys.argv[1]
    img = cv2.imread(path, cv2.IMREAD_COLOR)
    if img is None:
        sys.exit(f'opencv-time: cannot read {path}')
    if sys.argv[2] == '--serve':
        for line in sys.stdin:
            name = line.strip()
            t = time.process_time()
            FUNCTIONS[name](img)
            print(time.process_time() - t, flush=True)
        return
    repeats = int(sys.argv[2])
    names = sys.argv[3].split(',') if len(sys.argv) > 3 else list(FUNCTIONS)
    out = {}
    for name in names:
        times = []
        for _ in range(repeats):
            t = time.process_time()
            FUNCTIONS[name](img)
            times.append(time.process_time() - t)
        out[name] = times
    print(json.dumps(out))


if __name__ == '__main__':
    main()
