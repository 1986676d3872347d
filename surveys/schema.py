"""OpenAPI examples for the survey routes: bodies Swagger UI's "Try it out" can send as they are."""

from typing import Any

# A survey a newcomer can create unchanged: a choice question needs two choices; positions
# follow the order of the lists, so none are sent.
SURVEY_EXAMPLE: dict[str, Any] = {
    "title": "Team lunch",
    "description": "Where should we eat on Friday?",
    "questions": [
        {
            "text": "Which place?",
            "kind": "single_choice",
            "choices": [{"text": "Noodle bar"}, {"text": "Pizzeria"}],
        },
        {"text": "How hungry are you?", "kind": "rating", "scale_max": 5},
        {"text": "Anything else?", "kind": "text", "required": False},
    ],
}
# Question and choice ids come from the survey's GET; these fit a survey made from the example
# above as the first one on a fresh database.
RESPONSE_EXAMPLE: dict[str, Any] = {
    "answers": [
        {"question": 1, "choices": [1]},
        {"question": 2, "rating": 4},
        {"question": 3, "text": "Somewhere with a terrace."},
    ]
}
EXAMPLES = {
    ("/api/surveys/", "post"): SURVEY_EXAMPLE,
    ("/api/surveys/{id}/", "put"): SURVEY_EXAMPLE,
    ("/api/surveys/{id}/", "patch"): {"title": "Team lunch (Friday)"},
    ("/api/surveys/{survey_pk}/responses/", "post"): RESPONSE_EXAMPLE,
}


def survey_examples(result, generator, request, public):
    """POSTPROCESSING_HOOKS entry: the examples above as the JSON request bodies."""
    for (path, method), example in EXAMPLES.items():
        operation = result["paths"].get(path, {}).get(method)
        if operation is None:
            continue
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body is not None:
            body["example"] = example
    return result
