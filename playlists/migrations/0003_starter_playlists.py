"""Starter playlists for all seven emotions, so a fresh install plays music for everyone, linked or not.

Public Spotify playlists played through the Spotify embed (which needs no API access). Each id was found
quoted in public source code, as noted per row; none could be opened at Spotify from where this was written,
so administrators should check them in the admin (Playlists › Default playlists) and replace any that moved.
"""

from django.db import migrations

STARTERS = [
    ("happy", "Mood Booster", "37i9dQZF1DX3rxVfibe1L0",
     "Spotify editorial 'Mood Booster': quoted under that name with this id in several public GitHub projects"),
    ("surprise", "Beast Mode", "37i9dQZF1DX76Wlfdnj7AP",
     "Spotify editorial 'Beast Mode' (high energy): named so in a public list of Spotify playlist ids; "
     "other public projects quote it as a workout playlist"),
    ("angry", "Adrenaline Workout", "37i9dQZF1DX1tyCD9QhIWF",
     "Spotify editorial playlist quoted as 'Adrenaline Workout' and as 'Rage Beats' in public GitHub projects; "
     "intense either way, name not confirmed"),
    ("fear", "Peaceful Piano", "37i9dQZF1DX4sWSpwq3LiO",
     "Spotify editorial 'Peaceful Piano' (calming, for fear): quoted under that name in several public projects"),
    ("disgust", "Rock Classics", "37i9dQZF1DWXRqgorJj26U",
     "Spotify editorial 'Rock Classics': quoted under that name with this id in public projects"),
    ("sad", "Sad Songs", "37i9dQZF1DX7qK8ma5wgG1",
     "Spotify editorial 'Sad Songs': quoted under that name in several public projects (one calls it 'Broken Heart')"),
    ("neutral", "Chill Hits", "37i9dQZF1DX4WYpdgoIcn6",
     "Spotify editorial 'Chill Hits': quoted under that name with this id in several public projects"),
]


def add_starters(apps, schema_editor):
    DefaultPlaylist = apps.get_model("playlists", "DefaultPlaylist")
    for emotion, name, playlist_id, note in STARTERS:
        # An administrator's own choice, made before this migration, stays.
        DefaultPlaylist.objects.get_or_create(emotion=emotion, defaults={
            "name": name, "spotify_playlist_id": playlist_id, "source_note": note})


def remove_starters(apps, schema_editor):
    DefaultPlaylist = apps.get_model("playlists", "DefaultPlaylist")
    for emotion, _name, playlist_id, _note in STARTERS:
        DefaultPlaylist.objects.filter(emotion=emotion, spotify_playlist_id=playlist_id).delete()


class Migration(migrations.Migration):
    dependencies = [("playlists", "0002_spotify_today")]

    operations = [migrations.RunPython(add_starters, remove_starters)]
