"""Recommendations: tags, lexical (BM25) and semantic (all-MiniLM-L6-v2) engines."""

from studentres_desktop.domain.models import EngineStatus, Recommendation, Recommendations
from studentres_desktop.services.recommendations.engines import (
    PartKind,
    QueryPart,
    RecommendationQuery,
)
from studentres_desktop.services.recommendations.service import (
    ENGINES,
    RecommendationService,
    ReindexReport,
)

__all__ = [
    "ENGINES",
    "EngineStatus",
    "PartKind",
    "QueryPart",
    "Recommendation",
    "RecommendationQuery",
    "RecommendationService",
    "Recommendations",
    "ReindexReport",
]
