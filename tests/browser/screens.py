"""A synthetic photo for screenshots: sky, sun, sea and a dark boat to paint out."""

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFilter


def harbour_png(width: int = 1600, height: int = 1000) -> bytes:
    y = np.linspace(0, 1, height)[:, None, None]
    sky = (1 - y) * np.array([92, 150, 220]) + y * np.array([250, 205, 160])
    img = np.broadcast_to(sky, (height, width, 3)).copy()
    horizon = int(height * 0.58)
    sea_y = np.linspace(0, 1, height - horizon)[:, None, None]
    img[horizon:] = (1 - sea_y) * np.array([40, 90, 140]) + sea_y * np.array([15, 45, 80])
    rng = np.random.default_rng(7)
    img[horizon:] += rng.normal(0, 6, (height - horizon, width, 1))
    picture = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(picture)
    draw.ellipse((1180, 300, 1320, 440), fill=(255, 236, 190))
    draw.polygon([(0, horizon), (300, horizon - 140), (520, horizon)], fill=(60, 80, 70))
    draw.polygon([(1020, 650), (1180, 650), (1160, 690), (1040, 690)], fill=(35, 28, 25))
    draw.rectangle((1095, 560, 1102, 650), fill=(35, 28, 25))
    draw.polygon([(1104, 565), (1104, 640), (1160, 640)], fill=(235, 230, 220))
    picture = picture.filter(ImageFilter.GaussianBlur(0.6))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()
