"""well_formed_answers reads a response without DRF: whatever it accepts, it must read exactly
as ResponseInputSerializer does; whatever it declines goes to that serializer, which refuses
it with the errors the API has always given."""

import pytest

from surveys.models import MAX_CHOICES, MAX_QUESTIONS
from surveys.serializers import ResponseInputSerializer, well_formed_answers

ACCEPTED = [
    {"answers": []},
    {"answers": [{"question": 1, "choices": [2, 3]}]},
    {"answers": [{"question": 1, "rating": 4}, {"question": 2, "text": "  fine  "}]},
    {"answers": [{"question": 1, "text": "   "}, {"question": 2, "choices": []}]},
    {"answers": [{"question": 1, "choices": None, "rating": None, "text": None}]},
    {"answers": [{"question": 1, "rating": 0, "text": "", "choices": [1, 1]}]},
    {"answers": [{"question": 1, "unknown": "ignored"}], "extra": True},
    {"answers": [{"question": -5, "rating": -1}]},
    {"answers": [{"question": 1, "text": "naïve \u2013 \u2713"}]},
    {"answers": [{"question": 1, "choices": list(range(MAX_CHOICES))}]},
    {"answers": [{"question": n} for n in range(MAX_QUESTIONS * 2)]},
]

DECLINED = [
    None,
    [],
    "answers",
    {},
    {"answers": None},
    {"answers": {"question": 1}},
    {"answers": ["x"]},
    {"answers": [{"rating": 4}]},
    {"answers": [{"question": "1"}]},
    {"answers": [{"question": True}]},
    {"answers": [{"question": 1.0}]},
    {"answers": [{"question": 1, "choices": [True]}]},
    {"answers": [{"question": 1, "choices": "1"}]},
    {"answers": [{"question": 1, "choices": list(range(MAX_CHOICES + 1))}]},
    {"answers": [{"question": 1, "rating": "4"}]},
    {"answers": [{"question": 1, "rating": 4.0}]},
    {"answers": [{"question": 1, "text": 5}]},
    {"answers": [{"question": 1, "text": "nul\x00"}]},
    {"answers": [{"question": 1, "text": "half \ud800"}]},
    {"answers": [{"question": n} for n in range(MAX_QUESTIONS * 2 + 1)]},
]


@pytest.mark.parametrize("data", ACCEPTED)
def test_what_it_reads_is_what_the_serializer_reads(data):
    serializer = ResponseInputSerializer(data=data)

    assert serializer.is_valid(), serializer.errors
    assert well_formed_answers(data) == serializer.validated_data["answers"]


@pytest.mark.parametrize("data", DECLINED)
def test_what_it_declines_the_serializer_refuses_with_field_errors(data):
    assert well_formed_answers(data) is None
    assert not ResponseInputSerializer(data=data).is_valid()
