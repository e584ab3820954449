"""Schemathesis against the running app: requests generated from our own schema, sent by alice and by bob.

Every answer must be no 5xx and must match the schema (status documented, body, headers, content type).
Requests with a path id are also sent with the ids of alice's own objects: she gets them, bob gets 404.
"""

import json

import pytest
import schemathesis
from django.core.serializers.json import DjangoJSONEncoder
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from schemathesis.checks import positive_data_acceptance

from emotion.models import Capture, FaceReading, LiveSession, MoodEntry

pytestmark = pytest.mark.fuzz

# Per operation; about 15 operations. Derandomized: the same requests on every run.
MAX_EXAMPLES = 20
# A schema-valid request may still break a rule the schema cannot state (a face of another capture, bytes
# that are not a JPEG, Spotify not linked): those answer 400/415 with the error shape, which is checked.
BUSINESS_RULES = [positive_data_acceptance]



def our_schema() -> dict:
    """What /api/schema/ serves, built at collection time (schemathesis' lazy loader needs pytest < 9)."""
    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), cls=DjangoJSONEncoder))


schema = schemathesis.openapi.from_dict(our_schema())


def test_the_fuzzed_schema_is_the_served_one(db):
    assert APIClient().get("/api/schema/?format=json").json() == our_schema()


@pytest.fixture
def people(alice, bob) -> dict[str, str]:
    return {person.username: Token.objects.create(user=person).key for person in (alice, bob)}


@pytest.fixture
def alices_ids(alice) -> dict[str, int]:
    """The id to put in each kind of path so that a request reaches one of alice's objects."""
    done = Capture.objects.create(owner=alice, status=Capture.Status.DONE, width=640, height=480)
    face = FaceReading.objects.create(capture=done, x=10, y=10, w=90, h=90, emotion="happy", confidence=0.8,
                                      probabilities={"happy": 0.8, "sad": 0.2}, is_primary=True)
    done.choose_primary(face)
    Capture.objects.create(owner=alice, status=Capture.Status.QUEUED)
    manual = MoodEntry.objects.create(owner=alice, emotion="sad", source=MoodEntry.Source.MANUAL)
    live = LiveSession.objects.create(owner=alice)
    return {"/api/captures/": done.pk, "/api/moods/": manual.pk, "/api/live-sessions/": live.pk}


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_the_api_answers_as_its_schema_says(case, live_server, people, alices_ids):
    for token in people.values():
        case.call_and_validate(base_url=live_server.url, headers={"Authorization": f"Token {token}"},
                               excluded_checks=BUSINESS_RULES)
    # Schemathesis also sends methods the path does not have (405); only the documented one reaches an object.
    if "id" in (case.path_parameters or {}) and case.method.upper() == case.operation.method.upper():
        _try_alices_object(case, live_server.url, people, alices_ids)


def _try_alices_object(case, base_url: str, people: dict[str, str], alices_ids: dict[str, int]) -> None:
    prefix = next(p for p in alices_ids if case.path.startswith(p))
    case.path_parameters = {**case.path_parameters, "id": alices_ids[prefix]}
    case.call_and_validate(base_url=base_url, headers={"Authorization": f"Token {people['alice']}"},
                           excluded_checks=BUSINESS_RULES)
    response = case.call_and_validate(base_url=base_url, headers={"Authorization": f"Token {people['bob']}"},
                                      excluded_checks=BUSINESS_RULES)
    assert response.status_code == 404, (case.method, case.formatted_path, response.text)
