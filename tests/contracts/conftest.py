from tests.fakes.fixtures import (  # noqa: F401 (fixtures)
    fake_feature_servers,
    fake_features,
    fake_spotify,
    fake_spotify_server,
)
from tests.playlists.conftest import alice_link  # noqa: F401 (fixtures)
