"""The URL prefixes of the API: under them every answer, an error too, is JSON."""

DJOSER = "/auth/"
DJ_REST_AUTH = "/dj-rest-auth/"
DRF_OBTAIN = "/api-token-auth/"  # DRF's obtain-token view
API = "/api/"
API_PREFIXES = (DJOSER, DJ_REST_AUTH, DRF_OBTAIN, API)


def is_api_path(path: str) -> bool:
    """Under an API prefix, or the prefix itself without its slash (`/api`, `/auth`)."""
    return path.startswith(API_PREFIXES) or f"{path}/" in API_PREFIXES
