// A repeated key in a Dify export: Dify's importer keeps the last value, so the build does too, with a warning
// naming both lines; under failOnWarning that warning fails the build.
def log = new File(basedir, 'build.log').text
assert log.contains("duplicate key 'advanced_settings'")
assert log.contains('Merge Bot .yml:16 and src/main/snapshot/apps/Merge Bot .yml:19')
assert log.contains('snapshot.failOnWarning is set')
assert log.contains('BUILD FAILURE')
return true
