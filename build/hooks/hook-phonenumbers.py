# Overrides pyinstaller-hooks-contrib's hook, which collects all of phonenumbers (~48 MB, mostly
# the geocoder's place names). Tracker Desktop only parses, checks and formats numbers, which
# needs the metadata in phonenumbers.data (loaded lazily per region, so listed here) and the
# short-number package the top-level module imports. Geocoding, carriers and time zones are left out.
from PyInstaller.utils.hooks import collect_submodules

hiddenimports = collect_submodules("phonenumbers.data") + ["phonenumbers.shortdata"]
excludedimports = ["phonenumbers.geodata", "phonenumbers.carrierdata", "phonenumbers.tzdata",
                   "phonenumbers.geocoder", "phonenumbers.carrier", "phonenumbers.timezone"]
