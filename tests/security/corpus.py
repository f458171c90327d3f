"""The bad-input corpus: data, one case per line of thought. Each case says where it goes
(`target`), what is sent (`input`) and which field the 4xx must name (`field`).

Targets: api:features (a JSON body, str or dict), api:assets (multipart fields), api:patch
(PATCH /api/features/<a record>), api:list (GET /api/features query), api:select (POST
/api/masks/select), page:upload (the upload form's file), page:submit (the edit form, over a
valid text-to-image submission), page:rate (the record page's rating form), page:tokens.
`{image}` in a value is replaced by the path of an uploaded image of alice's.
"""

from tests.imagedata import bomb_png

GOOD = {"type": "IMAGE_GENERATOR", "model": "gpt-image-1", "promptObject": {"prompt": "a cat"}}


def feature(**prompt_object):
    return {**GOOD, "promptObject": {"prompt": "a cat", **prompt_object}}


def body(**top):
    return {**GOOD, **top}


PNG_HEADER = b"\x89PNG\r\n\x1a\n"

CASES = [
    # --- POST /api/features: the body itself
    ("api:features", "not json", "body"),
    ("api:features", "", "body"),
    ("api:features", "[" * 50_000 + "]" * 50_000, "body"),
    ("api:features", '{"type": "IMAGE_GENERATOR", "model": ', "body"),
    ("api:features", "[1, 2, 3]", "body"),
    ("api:features", '"just a string"', "body"),
    ("api:features", b"\xff\xfe\x00garbage", "body"),
    # --- its fields
    ("api:features", {"model": "gpt-image-1", "promptObject": {"prompt": "x"}}, "type"),
    ("api:features", body(type="IMAGE_TELEPORTER"), "type"),
    ("api:features", body(type=7), "type"),
    ("api:features", body(model="dall-e-9"), "model"),
    ("api:features", body(model=None), "model"),
    ("api:features", body(model=["gpt-image-1"]), "model"),
    ("api:features", body(provider="midjourney"), "provider"),
    ("api:features", body(promptObject="a cat"), "promptObject"),
    ("api:features", body(conversationId="not-a-uuid"), "conversationId"),
    ("api:features", body(conversationId="00000000-0000-4000-8000-000000000000"), "conversationId"),
    ("api:features", feature(prompt=""), "prompt"),
    ("api:features", feature(prompt=42), "prompt"),
    ("api:features", feature(prompt="x" * 40_000), "prompt"),
    ("api:features", feature(prompt="a cat\x00"), "prompt"),
    ("api:features", feature(prompt="\x1b[2J clear the screen"), "prompt"),
    ("api:features", feature(prompt="bell\x07"), "prompt"),
    ("api:features", feature(prompt="del\x7f"), "prompt"),
    (
        "api:features",
        '{"type": "IMAGE_GENERATOR", "model": "gpt-image-1", '
        '"promptObject": {"prompt": "lone \\udc00 surrogate"}}',
        "prompt",
    ),
    ("api:features", feature(n=0), "n"),
    ("api:features", feature(n=11), "n"),
    ("api:features", feature(n=-1), "n"),
    ("api:features", feature(n="lots"), "n"),
    ("api:features", feature(n=True), "n"),
    ("api:features", feature(n=1.5), "n"),
    (
        "api:features",
        '{"type": "IMAGE_GENERATOR", "model": "gpt-image-1", '
        '"promptObject": {"prompt": "x", "n": 1e999}}',
        "n",
    ),
    (
        "api:features",
        '{"type": "IMAGE_GENERATOR", "model": "gpt-image-1", '
        '"promptObject": {"prompt": "x", "n": NaN}}',
        "n",
    ),
    (
        "api:features",
        '{"type": "IMAGE_GENERATOR", "model": "gpt-image-1", '
        '"promptObject": {"prompt": "x", "n": ' + "9" * 5000 + "}}",
        "body",
    ),
    # Integers JSON writes out in full but no float holds (every float conversion overflowed)
    (
        "api:features",
        '{"type": "IMAGE_GENERATOR", "model": "gpt-image-1", '
        '"promptObject": {"prompt": "x", "n": ' + "9" * 400 + "}}",
        "n",
    ),
    (
        "api:features",
        '{"type": "IMAGE_GENERATOR", "model": "gpt-image-1", '
        '"promptObject": {"prompt": "x", "output_compression": -' + "9" * 400 + "}}",
        "output_compression",
    ),
    ("api:features", feature(size="huge"), "size"),
    ("api:features", feature(size="99999x99999"), "size"),
    ("api:features", feature(quality="ultra"), "quality"),
    ("api:features", feature(size={"w": 1}), "size"),
    ("api:features", feature(size="1024x1024\x00"), "size"),
    ("api:features", body(type="IMAGE_EDITOR", promptObject={"prompt": "x"}), "imageUrl"),
    (
        "api:features",
        body(type="IMAGE_EDITOR", promptObject={"prompt": "x", "imageUrl": 5}),
        "imageUrl",
    ),
    (
        "api:features",
        body(type="IMAGE_EDITOR", promptObject={"prompt": "x", "imageUrl": "assets/nothing.png"}),
        "imageUrl",
    ),
    (
        "api:features",
        body(
            type="IMAGE_EDITOR", promptObject={"prompt": "x", "imageUrl": "http://127.0.0.1/x.png"}
        ),
        "imageUrl",
    ),
    (
        "api:features",
        body(type="IMAGE_EDITOR", promptObject={"prompt": "x", "imageUrl": "file:///etc/passwd"}),
        "imageUrl",
    ),
    (
        "api:features",
        body(type="IMAGE_EDITOR", promptObject={"prompt": "x", "imageUrl": "{image}\x00"}),
        "imageUrl",
    ),
    (
        "api:features",
        body(type="IMAGE_EDITOR", promptObject={"prompt": "x", "imageUrls": "{image}"}),
        "imageUrls",
    ),
    (
        "api:features",
        body(type="IMAGE_INPAINTER", promptObject={"prompt": "x", "imageUrl": "{image}"}),
        "maskUrl",
    ),
    (
        "api:features",
        body(
            type="IMAGE_INPAINTER",
            promptObject={
                "prompt": "x",
                "imageUrl": "{image}",
                "maskUrl": "{image}",
                "pasteBack": "yes",
            },
        ),
        "pasteBack",
    ),
    (
        "api:features",
        body(
            type="IMAGE_INPAINTER",
            promptObject={
                "prompt": "x",
                "imageUrl": "{image}",
                "maskUrl": "{image}",
                "growMask": -5,
            },
        ),
        "growMask",
    ),
    # --- POST /api/assets
    ("api:assets", {}, "asset"),
    ("api:assets", {"asset": ("notes.png", b"hello, not an image")}, "asset"),
    ("api:assets", {"asset": ("empty.png", b"")}, "asset"),
    ("api:assets", {"asset": ("anim.gif", b"GIF89a" + b"\x00" * 64)}, "asset"),
    ("api:assets", {"asset": ("bomb.png", bomb_png())}, "asset"),
    ("api:assets", {"asset": ("cut.png", PNG_HEADER + b"\x00\x00\x00\rIHDR")}, "asset"),
    ("api:assets", {"asset": ("huge.png", PNG_HEADER + b"\x00" * (2 * 1024 * 1024))}, "asset"),
    # --- PATCH /api/features/<uuid>
    ("api:patch", {"rating": 6}, "rating"),
    ("api:patch", {"rating": 0}, "rating"),
    ("api:patch", {"rating": "5"}, "rating"),
    ("api:patch", {"rating": True}, "rating"),
    ("api:patch", {"rating": 4.5}, "rating"),
    ("api:patch", {"feedback": 12}, "feedback"),
    ("api:patch", {"feedback": "fine\x00"}, "feedback"),
    ("api:patch", {"feedback": "x" * 20_000}, "feedback"),
    ("api:patch", {"reviewTags": ["not-a-tag"]}, "reviewTags"),
    ("api:patch", {"reviewTags": "great"}, "reviewTags"),
    ("api:patch", {}, "rating"),
    ("api:patch", [], "body"),
    # --- GET /api/features
    ("api:list", {"offset": "99999999999999999999"}, "offset"),
    ("api:list", {"page": "99999999999999999999"}, "page"),
    ("api:list", {"page": "0"}, "page"),
    ("api:list", {"limit": "-3"}, "limit"),
    ("api:list", {"limit": "1" + "0" * 40}, "limit"),
    ("api:list", {"min_rating": "9"}, "min_rating"),
    ("api:list", {"type": "IMAGE_TELEPORTER"}, "type"),
    ("api:list", {"status": "EXPLODED"}, "status"),
    ("api:list", {"date_from": "yesterday"}, "date_from"),
    ("api:list", {"q": "cat\x00"}, "q"),
    ("api:list", {"q": "x" * 500}, "q"),
    # --- POST /api/masks/select
    ("api:select", {"mode": "lasso", "imageUrl": "{image}"}, "mode"),
    ("api:select", {"mode": "wand", "imageUrl": "{image}", "point": [1]}, "point"),
    (
        "api:select",
        {"mode": "wand", "imageUrl": "{image}", "point": [1, 1], "tolerance": -1},
        "tolerance",
    ),
    ("api:select", '{"mode": "box", "imageUrl": "{image}", "box": [0, 0, Infinity, 5]}', "box"),
    ("api:select", {"mode": "box", "imageUrl": "{image}", "box": [0, 0, 10**30, 5]}, "box"),
    ("api:select", {"mode": "wand", "point": [1, 1]}, "imageUrl"),
    (
        "api:select",
        '{"mode": "wand", "imageUrl": "{image}", "point": [1, 1], "tolerance": 1' + "0" * 400 + "}",
        "tolerance",
    ),
    (
        "api:select",
        '{"mode": "refine", "imageUrl": "{image}", "maskUrl": "{image}", '
        '"band": 1' + "0" * 400 + "}",
        "band",
    ),
    (
        "api:select",
        '{"mode": "wand", "imageUrl": "{image}", "point": [1' + "0" * 400 + ", 1]}",
        "point",
    ),
    # --- the page forms
    ("page:upload", ("notes.png", b"hello, not an image"), "image"),
    ("page:upload", ("empty.png", b""), "image"),
    ("page:upload", ("bomb.png", bomb_png()), "image"),
    ("page:upload", ("huge.png", PNG_HEADER + b"\x00" * (2 * 1024 * 1024)), "image"),
    ("page:submit", {"provider": "midjourney"}, "provider"),
    ("page:submit", {"model": "dall-e-9"}, "model"),
    ("page:submit", {"type": "IMAGE_TELEPORTER"}, "type"),
    ("page:submit", {"prompt": "x" * 40_000}, "prompt"),
    ("page:submit", {"prompt": "a cat\x00"}, "prompt"),
    ("page:submit", {"prompt": "a cat\x1b"}, "prompt"),
    ("page:submit", {"p_n": "0"}, "p_n"),
    ("page:submit", {"p_n": "many"}, "p_n"),
    ("page:submit", {"p_quality": "ultra"}, "p_quality"),
    ("page:submit", {"also": "midjourney:v7"}, "also"),
    ("page:submit", {"grow": "-1"}, "grow"),
    ("page:submit", {"parent": "not-a-uuid"}, "parent"),
    ("page:rate", {"rating": "6"}, "rating"),
    ("page:rate", {"rating": "x"}, "rating"),
    ("page:rate", {"rating": "0"}, "rating"),
    ("page:rate", {"feedback": "ok\x00"}, "feedback"),
    ("page:rate", {"tags": "not-a-tag"}, "tags"),
    ("page:tokens", {"name": ""}, "name"),
    ("page:tokens", {"name": "ci\x00"}, "name"),
    ("page:tokens", {"name": "x" * 500}, "name"),
]
