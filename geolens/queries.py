"""Former home of the dashboard queries, kept for imports written before the split (no queries live here).

Filters moved to geolens.filters, display names to geolens.names, aggregations to geolens.aggregations.
"""

from geolens.filters import MEASURE_LABELS, MEASURES, PARAM_KEYS, Filters
from geolens.names import country_continent, country_name, theme_name

__all__ = ["MEASURE_LABELS", "MEASURES", "PARAM_KEYS", "Filters", "country_continent", "country_name", "theme_name"]
