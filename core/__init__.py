"""Leaf code every layer may import (the pure editor/engine included): no Django, no apps."""
