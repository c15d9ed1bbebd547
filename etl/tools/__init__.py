"""Tools around the ETL, run by hand and never by a build: the benchmarks (``bench``,
``bench_dashboard``), the synthetic corpus (``synth``), the gazetteer's builder
(``gazetteer_build``) and the README's table documentation (``docs``). Each runs as
``python -m etl.tools.<name>``.

They live apart from the extraction modules so that the extractor's version
(``etl.version``), which keys every cached extraction and kept row, does not hash them:
editing a benchmark does not make the next build extract every article again.
"""
