//! The tantivy index: schema, building it from [`SearchDoc`]s, saving and opening it, and reading
//! postings, statistics and stored documents back for ranking and export.
//!
//! Stage: index. Input: search documents. Output: a [`SearchIndex`]. Entry functions:
//! [`SearchIndex::build`], [`SearchIndex::open`]. This file and `export.rs` are the only users of
//! tantivy's index types.

use super::docs::SearchDoc;
use super::rank::{standing, Posting, Stats, TermPostings, CURRENT, FIELDS};
use super::tokenizer::{PortalTokenizer, TOKENIZER_NAME};
use crate::text::is_single_cjk;
use anyhow::{Context, Result};
use std::collections::HashMap;
use std::path::Path;
use tantivy::directory::{MmapDirectory, RamDirectory};
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::Postings;
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, STORED,
};
use tantivy::{DocAddress, DocSet, Index, IndexReader, TantivyDocument, Term, TERMINATED};

/// Memory for tantivy's writer while indexing.
const WRITER_BUDGET: usize = 200_000_000;

/// The fields of the schema.
#[derive(Debug, Clone, Copy)]
struct Fields {
    text: [Field; 3],
    id: Field,
    /// [`super::rank::standing`] of the page's validity (a fast field, read when opening).
    standing: Field,
    stored: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(TOKENIZER_NAME)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let text = FIELDS.map(|name| {
        b.add_text_field(
            name,
            TextOptions::default().set_indexing_options(indexing.clone()),
        )
    });
    let id = b.add_u64_field("id", FAST | STORED);
    let standing = b.add_u64_field("standing", FAST);
    let stored = b.add_text_field("doc", STORED);
    (
        b.build(),
        Fields {
            text,
            id,
            standing,
            stored,
        },
    )
}

/// A built or opened tantivy index with its document id map.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// Kept to save an index built in memory.
    ram: Option<RamDirectory>,
    /// Document id → where tantivy keeps it.
    addresses: Vec<DocAddress>,
    /// Segment → segment-local document → document id.
    ids: Vec<Vec<u32>>,
    /// The documents that are not current ([`standing`] below [`CURRENT`]), by id.
    demoted: HashMap<u32, u32>,
}

impl SearchIndex {
    /// Indexes `docs` in memory.
    pub fn build(docs: &[SearchDoc]) -> Result<SearchIndex> {
        let (schema, fields) = schema();
        let ram = RamDirectory::create();
        let index = Index::create(ram.clone(), schema, Default::default())
            .context("creating the search index")?;
        index.tokenizers().register(TOKENIZER_NAME, PortalTokenizer);
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 4);
        let mut writer =
            index.writer_with_num_threads::<TantivyDocument>(threads, WRITER_BUDGET * threads)?;
        for d in docs {
            let mut doc = TantivyDocument::default();
            doc.add_text(fields.text[0], &d.title_field);
            doc.add_text(fields.text[1], &d.heading_field);
            doc.add_text(fields.text[2], d.body());
            doc.add_u64(fields.id, d.id as u64);
            doc.add_u64(fields.standing, standing(&d.status) as u64);
            doc.add_text(fields.stored, serde_json::to_string(d)?);
            writer.add_document(doc)?;
        }
        writer.commit()?;
        writer.wait_merging_threads()?;
        SearchIndex::from_index(index, fields, Some(ram))
    }

    /// Opens an index saved by [`SearchIndex::save`].
    pub fn open(dir: &Path) -> Result<SearchIndex> {
        let index = Index::open_in_dir(dir)
            .with_context(|| format!("opening the search index in {}", dir.display()))?;
        index.tokenizers().register(TOKENIZER_NAME, PortalTokenizer);
        let (_, fields) = schema();
        SearchIndex::from_index(index, fields, None)
    }

    fn from_index(index: Index, fields: Fields, ram: Option<RamDirectory>) -> Result<SearchIndex> {
        let reader = index.reader()?;
        let searcher = reader.searcher();
        let mut addresses = vec![DocAddress::new(0, 0); searcher.num_docs() as usize];
        let mut ids = Vec::new();
        let mut demoted = HashMap::new();
        for (seg, r) in searcher.segment_readers().iter().enumerate() {
            let column = r.fast_fields().u64("id")?;
            let standings = r.fast_fields().u64("standing")?;
            let mut local = Vec::with_capacity(r.max_doc() as usize);
            for doc in 0..r.max_doc() {
                let id = column.first(doc).context("a document without id")? as usize;
                let st = standings.first(doc).unwrap_or(CURRENT as u64) as u32;
                if st < CURRENT {
                    demoted.insert(id as u32, st);
                }
                *addresses
                    .get_mut(id)
                    .context("document ids are not dense")? = DocAddress::new(seg as u32, doc);
                local.push(id as u32);
            }
            ids.push(local);
        }
        Ok(SearchIndex {
            index,
            reader,
            fields,
            ram,
            addresses,
            ids,
            demoted,
        })
    }

    /// The documents that are not current, with their [`standing`] (see [`super::rank`]).
    pub fn demoted(&self) -> &HashMap<u32, u32> {
        &self.demoted
    }

    /// Writes an index built in memory into `dir` (emptied first).
    pub fn save(&self, dir: &Path) -> Result<()> {
        let ram = self
            .ram
            .as_ref()
            .context("only an index built in memory can be saved")?;
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let target =
            MmapDirectory::open(dir).with_context(|| format!("opening {}", dir.display()))?;
        ram.persist(&target)
            .with_context(|| format!("saving the search index into {}", dir.display()))?;
        Ok(())
    }

    pub fn num_docs(&self) -> usize {
        self.addresses.len()
    }

    /// Statistics for BM25, as tantivy's searcher reports them.
    pub fn stats(&self) -> Result<Stats> {
        let searcher = self.reader.searcher();
        let mut total_tokens = [0u64; 3];
        for (f, total) in total_tokens.iter_mut().enumerate() {
            for r in searcher.segment_readers() {
                *total += r.inverted_index(self.fields.text[f])?.total_num_tokens();
            }
        }
        Ok(Stats {
            num_docs: searcher.num_docs(),
            total_tokens,
        })
    }

    /// A term's postings in every field, with positions, by document id.
    pub fn postings(&self, term: &str) -> Result<TermPostings> {
        let searcher = self.reader.searcher();
        let mut out: TermPostings = Default::default();
        for (f, list) in out.iter_mut().enumerate() {
            let term = Term::from_field_text(self.fields.text[f], term);
            for (seg, r) in searcher.segment_readers().iter().enumerate() {
                let inverted = r.inverted_index(self.fields.text[f])?;
                let Some(info) = inverted.get_term_info(&term)? else {
                    continue;
                };
                let postings = inverted
                    .read_postings_from_terminfo(&info, IndexRecordOption::WithFreqsAndPositions)?;
                let norms = r.get_fieldnorms_reader(self.fields.text[f])?;
                self.collect(seg, &norms, postings, list, true);
            }
            list.sort_by_key(|p| p.doc);
        }
        Ok(out)
    }

    /// Appends a segment's postings of one term in one field to `list`, by document id.
    fn collect(
        &self,
        seg: usize,
        norms: &FieldNormReader,
        mut postings: tantivy::postings::SegmentPostings,
        list: &mut Vec<Posting>,
        with_positions: bool,
    ) {
        let ids = &self.ids[seg];
        let mut doc = postings.doc();
        while doc != TERMINATED {
            let mut positions = Vec::new();
            if with_positions {
                postings.positions(&mut positions);
            }
            list.push(Posting {
                doc: ids[doc as usize],
                fieldnorm_id: norms.fieldnorm_id(doc),
                tf: postings.term_freq(),
                positions,
            });
            doc = postings.advance();
        }
    }

    /// Calls `visit` with every term of the index and its postings in every field, in term order
    /// (for the static export; without positions for single CJK characters). The fields' and segments' term streams are merged as they are read,
    /// so only one term's postings are held at a time.
    pub fn for_each_term(
        &self,
        mut visit: impl FnMut(&str, TermPostings) -> Result<()>,
    ) -> Result<()> {
        let searcher = self.reader.searcher();
        let mut readers = Vec::new();
        for f in 0..3 {
            for (seg, r) in searcher.segment_readers().iter().enumerate() {
                let inverted = r.inverted_index(self.fields.text[f])?;
                let norms = r.get_fieldnorms_reader(self.fields.text[f])?;
                readers.push((f, seg, norms, inverted));
            }
        }
        let mut streams = Vec::new();
        for (i, reader) in readers.iter().enumerate() {
            let mut stream = reader.3.terms().stream()?;
            if stream.advance() {
                streams.push((i, stream));
            }
        }
        let mut key: Vec<u8> = Vec::new();
        while !streams.is_empty() {
            key.clear();
            key.extend_from_slice(
                streams
                    .iter()
                    .map(|s| s.1.key())
                    .min()
                    .expect("streams is not empty"),
            );
            let mut postings: TermPostings = Default::default();
            // The export leaves positions out for single CJK characters: do not read them.
            let with_positions = !std::str::from_utf8(&key).is_ok_and(is_single_cjk);
            let mut i = 0;
            while i < streams.len() {
                let (r, stream) = &mut streams[i];
                if stream.key() != key.as_slice() {
                    i += 1;
                    continue;
                }
                let (f, seg, norms, inverted) = &readers[*r];
                let option = if with_positions {
                    IndexRecordOption::WithFreqsAndPositions
                } else {
                    IndexRecordOption::WithFreqs
                };
                let list = inverted.read_postings_from_terminfo(stream.value(), option)?;
                self.collect(*seg, norms, list, &mut postings[*f], with_positions);
                if stream.advance() {
                    i += 1;
                } else {
                    streams.swap_remove(i);
                }
            }
            for list in postings.iter_mut() {
                list.sort_by_key(|p| p.doc);
            }
            visit(&String::from_utf8_lossy(&key), postings)?;
        }
        Ok(())
    }

    /// The stored document with id `id`.
    pub fn doc(&self, id: u32) -> Result<SearchDoc> {
        let searcher = self.reader.searcher();
        let address = *self
            .addresses
            .get(id as usize)
            .context("no such document")?;
        let doc: TantivyDocument = searcher.doc(address)?;
        let json = doc
            .get_first(self.fields.stored)
            .and_then(|v| v.as_str().map(str::to_string))
            .context("a document without stored text")?;
        Ok(serde_json::from_str(&json)?)
    }

    /// Every stored document, by id.
    pub fn docs(&self) -> Result<Vec<SearchDoc>> {
        (0..self.num_docs() as u32).map(|i| self.doc(i)).collect()
    }

    /// The underlying tantivy index (tests compare rankings with tantivy's own searcher).
    pub fn tantivy(&self) -> &Index {
        &self.index
    }
}

/// tantivy's field-norm table (field-norm id → field length).
pub fn fieldnorm_table() -> [u32; 256] {
    std::array::from_fn(|i| tantivy::fieldnorm::FieldNormReader::id_to_fieldnorm(i as u8))
}

/// Postings of several terms, fetched once each.
pub fn postings_of(index: &SearchIndex, terms: &[&str]) -> Result<HashMap<String, TermPostings>> {
    terms
        .iter()
        .map(|t| Ok((t.to_string(), index.postings(t)?)))
        .collect()
}
