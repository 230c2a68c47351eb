# holidays loads each country's module on demand (holidays.registry), so the analysis cannot see
# it. Tracker Desktop only asks for the United Kingdom (England). Importing any country imports
# the package holidays.countries, whose __init__ imports every country, so the others come too
# (about 3 MB); their translations (locale/*.mo) are not bundled: names are not shown.
hiddenimports = ["holidays.countries.united_kingdom", "holidays.countries"]
