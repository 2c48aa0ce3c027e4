#!/usr/bin/python3
"""Regenerates test/fixtures/opencv-4.6/<photo>.<style>.png with Debian's OpenCV 4.6.

Run with Debian's interpreter, which has python3-opencv:  /usr/bin/python3 scripts/make-references.py
Options: --photos DIR (default test/fixtures/photos), --out DIR (default test/fixtures/opencv-4.6),
--only astronaut,coffee (default: those two), --check (compare with the files in --out instead of writing).
The product never runs this; only the fidelity tests read its output, which is committed.
"""
import argparse
import os
import sys

import cv2
import numpy as np

# The same defaults as src/filters/registry.ts.
STYLES = {
    'sketch': lambda img: cv2.pencilSketch(img, sigma_s=60, sigma_r=0.07, shade_factor=0.02)[0],
    'color-sketch': lambda img: cv2.pencilSketch(img, sigma_s=60, sigma_r=0.07, shade_factor=0.02)[1],
    'oil': lambda img: cv2.xphoto.oilPainting(img, 7, 1),
    'watercolor': lambda img: cv2.stylization(img, sigma_s=60, sigma_r=0.45),
    'smooth': lambda img: cv2.edgePreservingFilter(img, flags=1, sigma_s=60, sigma_r=0.4),
    'detail': lambda img: cv2.detailEnhance(img, sigma_s=10, sigma_r=0.15),
}


def main():
    root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--photos', default=os.path.join(root, 'test/fixtures/photos'))
    ap.add_argument('--out', default=os.path.join(root, 'test/fixtures/opencv-4.6'))
    ap.add_argument('--only', default='astronaut,coffee')
    ap.add_argument('--check', action='store_true')
    args = ap.parse_args()
    if not cv2.__version__.startswith('4.6.'):
        sys.exit(f'make-references: needs OpenCV 4.6 (Debian python3-opencv via /usr/bin/python3), found {cv2.__version__}')
    os.makedirs(args.out, exist_ok=True)
    differing = 0
    for name in args.only.split(','):
        path = os.path.join(args.photos, name + '.png')
        img = cv2.imread(path, cv2.IMREAD_COLOR)  # BGR, alpha dropped, grey expanded
        if img is None:
            sys.exit(f'make-references: cannot read {path}')
        for style, fn in STYLES.items():
            res = fn(img)
            target = os.path.join(args.out, f'{name}.{style}.png')
            if args.check:
                old = cv2.imread(target, cv2.IMREAD_UNCHANGED)
                same = old is not None and old.shape == res.shape and np.array_equal(old, res)
                differing += 0 if same else 1
                print(f'{"same" if same else "DIFFERS"} {target}')
            else:
                cv2.imwrite(target, res)
                print(f'wrote {target}')
    sys.exit(1 if differing else 0)


if __name__ == '__main__':
    main()
