//! Opening folders: fault isolation, Clay file-name columns, progress and row order.

#![expect(
    clippy::float_cmp,
    reason = "the values compared were written exactly by the test"
)]

mod common;

use std::sync::Mutex;

use common::{
    CLAY, EMPTY, column_text, copy_fixture, open_ok, truncated_copy, uncached, write_vectors,
};
use loupe_ingest::{FailureKind, IngestError, Progress, Stage, open};

#[test]
fn bad_files_are_listed_and_the_others_load() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_fixture(CLAY, dir.path(), CLAY);
    copy_fixture(EMPTY, dir.path(), EMPTY);
    truncated_copy(CLAY, dir.path(), "broken.gpq", 100_000);
    write_vectors(&dir.path().join("other_dim.parquet"), 5, 1024, 0.0, &[]);
    std::fs::write(dir.path().join("notes.txt"), "not data").expect("write");

    let opened = open_ok(dir.path(), &uncached());
    assert_eq!((opened.dataset.n_rows(), opened.dataset.dim()), (417, 768));
    assert_eq!(
        column_text(&opened, "source_file"),
        vec![CLAY.to_owned(); 417]
    );
    let report = &opened.report;
    assert!(report.folder);
    assert_eq!(report.files.len(), 1);
    let failed: Vec<(String, FailureKind)> = report
        .failed
        .iter()
        .map(|f| {
            (
                f.path.file_name().unwrap().to_string_lossy().into_owned(),
                f.kind,
            )
        })
        .collect();
    assert_eq!(
        failed,
        [
            (EMPTY.to_owned(), FailureKind::NoRows),
            ("broken.gpq".to_owned(), FailureKind::Unreadable),
            (
                "other_dim.parquet".to_owned(),
                FailureKind::Dimension {
                    dim: 1024,
                    expected: 768
                }
            ),
        ]
    );
    assert!(
        report.failed[0].reason.contains("no rows"),
        "{}",
        report.failed[0].reason
    );
    assert_eq!(
        report.failed[2].reason,
        "vectors have 1024 values; the other files have 768"
    );
    let text = report.to_string();
    assert!(
        text.contains("417 rows of 768 values from 1 of 4 files"),
        "{text}"
    );
    assert!(text.contains("3 files not loaded:"), "{text}");
    assert!(text.contains("\n  broken.gpq: "), "{text}");
    assert!(
        text.contains(
            "\n  other_dim.parquet: vectors have 1024 values; the other files have 768\n"
        ),
        "{text}"
    );
}

#[test]
fn clay_copies_stack_with_their_name_columns() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_fixture(CLAY, dir.path(), CLAY);
    copy_fixture(CLAY, dir.path(), "04ABC_20230101_20230131_v002.gpq");
    write_vectors(&dir.path().join("zz_other.parquet"), 2, 768, 0.5, &[]);

    let opened = open_ok(dir.path(), &uncached());
    let ds = &opened.dataset;
    assert_eq!(ds.n_rows(), 836);
    let mgrs = column_text(&opened, "mgrs");
    let mindate = column_text(&opened, "mindate");
    let maxdate = column_text(&opened, "maxdate");
    let version = column_text(&opened, "version");
    assert!(mgrs[..417].iter().all(|m| m == "03WVN"));
    assert!(mgrs[417..834].iter().all(|m| m == "04ABC"));
    assert_eq!(&mgrs[834..], ["null", "null"], "a non-Clay name gets nulls");
    assert_eq!(
        (mindate[0].as_str(), maxdate[0].as_str()),
        ("2022-06-10", "2022-06-10")
    );
    assert_eq!(
        (mindate[417].as_str(), maxdate[417].as_str()),
        ("2023-01-01", "2023-01-31")
    );
    assert_eq!((version[0].as_str(), version[417].as_str()), ("001", "002"));
    assert_eq!(column_text(&opened, "source_file")[835], "zz_other.parquet");
    // Same file twice: the second copy's rows repeat the first's.
    assert_eq!(ds.row(0), ds.row(417));
    assert_eq!(ds.row(416), ds.row(833));
    assert_eq!(ds.row(834)[0], 0.5);
    // Columns of one file only (`index` is Clay's) are null for the others' rows.
    assert_eq!(column_text(&opened, "index")[835], "null");
}

#[test]
fn same_folder_same_rows_and_progress_reaches_the_end() {
    let dir = tempfile::tempdir().expect("tempdir");
    for i in 0..6 {
        write_vectors(
            &dir.path().join(format!("part{i}.parquet")),
            50 + i,
            16,
            i as f32 * 100.0,
            &[],
        );
    }
    let updates = Mutex::new(Vec::new());
    let record = |p: &Progress| updates.lock().expect("lock").push(*p);
    let first = open(dir.path(), &uncached(), &record).expect("open");
    let second = open_ok(dir.path(), &uncached());
    assert_eq!(first.dataset.vectors(), second.dataset.vectors());
    assert_eq!(
        column_text(&first, "source_file"),
        column_text(&second, "source_file")
    );
    assert_eq!(first.dataset.row(0)[0], 0.0);
    assert_eq!(
        first.dataset.row(50)[0],
        100.0,
        "part1 follows part0's 50 rows"
    );

    let updates = updates.into_inner().expect("lock");
    let files: Vec<&Progress> = updates
        .iter()
        .filter(|p| p.stage == Stage::ReadingFiles)
        .collect();
    assert_eq!(files.len(), 7, "a start and one per file");
    let last = files.iter().max_by_key(|p| p.done).expect("updates");
    assert_eq!((last.done, last.total, last.rows), (6, 6, 315));
    assert!(updates.iter().any(|p| p.stage == Stage::Combining));
}

#[test]
fn a_folder_where_nothing_loads_lists_every_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_fixture(EMPTY, dir.path(), EMPTY);
    truncated_copy(CLAY, dir.path(), "broken.gpq", 5_000);
    let err = open(dir.path(), &uncached(), &|_: &Progress| {}).expect_err("nothing loads");
    let IngestError::NothingLoaded { failures, .. } = &err else {
        panic!("{err}");
    };
    assert_eq!(failures.len(), 2);
    let text = err.to_string();
    assert!(
        text.contains("none of the 2 files could be loaded"),
        "{text}"
    );
    assert!(
        text.contains("\n  21MNT.parquet: ") && text.contains("\n  broken.gpq: "),
        "{text}"
    );
    let empty = tempfile::tempdir().expect("tempdir");
    let err = open(empty.path(), &uncached(), &|_: &Progress| {}).expect_err("no files");
    assert!(matches!(err, IngestError::NoFiles { .. }), "{err}");
}
