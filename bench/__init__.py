"""The load benchmark (bench/README.md): runner, seeding glue, probe and profiler."""
