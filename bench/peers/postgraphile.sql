-- What PostGraphile needs beyond dxgraph's tables for the search scenario: full-text
-- search is a custom function in PostGraphile (its documented way), here over the same
-- search_entries tsvector and GIN index dxgraph uses. Ranked by ts_rank (dxgraph ranks
-- with its own BM25F scorer), snippet by ts_headline over the folded title. Created by
-- bench/run.py in the bench's throwaway database only.
CREATE OR REPLACE FUNCTION bench_tsquery(query text)
RETURNS tsquery LANGUAGE sql IMMUTABLE AS $$
  SELECT to_tsquery('simple', regexp_replace(btrim(query), '\s+', ' & ', 'g') || ':*')
$$;

CREATE OR REPLACE FUNCTION bench_search_questions(query text)
RETURNS SETOF questions LANGUAGE sql STABLE AS $$
  SELECT q.*
  FROM search_entries e JOIN questions q ON q.id = e.id
  -- dxgraph's match: every word, the last one also as a prefix (an unaccented query)
  WHERE e.tsv @@ bench_tsquery(query) AND e.kind = 'QUESTION'
  ORDER BY ts_rank(e.tsv, bench_tsquery(query)) DESC, e.position
$$;

CREATE OR REPLACE FUNCTION questions_bench_snippet(q questions, query text)
RETURNS text LANGUAGE sql STABLE AS $$
  SELECT ts_headline('simple', e.title_folded, plainto_tsquery('simple', query),
                     'StartSel=<mark>, StopSel=</mark>, HighlightAll=true')
  FROM search_entries e WHERE e.id = q.id
$$;
