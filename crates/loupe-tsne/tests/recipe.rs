//! Schedules, multi-stage recipes, `prepare_partial` and `transform`.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use loupe_tsne::{
    NegativeGradientMethod, PartialEmbedding, Phase, PhaseSpec, Preset, RecipeEngine, RunStatus,
    Snapshot, TransformParams, TsneEngine, TsneParams, ValidRecipe, VectorBuffer, spawn_recipe_run,
};

fn phase(n_iter: usize, exaggeration: f64, n: usize) -> Phase {
    Phase {
        name: format!("{exaggeration}"),
        n_iter,
        exaggeration,
        momentum: 0.8,
        learning_rate: n as f64 / exaggeration,
    }
}

/// The Clay recipe with every phase shortened to `iters` (same stages, same exaggerations).
fn short_clay(params: &TsneParams, n: usize, iters: usize) -> ValidRecipe {
    let mut recipe = Preset::ClayMultistage.recipe(params);
    for stage in &mut recipe.stages {
        for p in &mut stage.phases {
            p.n_iter = iters;
        }
    }
    recipe.validate(params, n).expect("valid recipe")
}

fn small_params() -> TsneParams {
    TsneParams {
        pca_dims: Some(30),
        ..TsneParams::default()
    }
}

#[test]
fn prepare_partial_puts_a_duplicate_exactly_on_its_twin() {
    let (pixels, _) = common::mnist_sample(600, 3);
    let params = TsneParams {
        early_exaggeration_iter: 20,
        n_iter: 20,
        ..TsneParams::default()
    }
    .validate(600)
    .expect("valid");
    let mut engine = TsneEngine::prepare(&pixels, 784, &params, &mut |_| {}).expect("prepare");
    while engine.step().is_some() {}
    let twins = [0_usize, 17, 599];
    let new: Vec<f32> = twins
        .iter()
        .flat_map(|&r| pixels[r * 784..(r + 1) * 784].iter().copied())
        .collect();
    let partial = PartialEmbedding::prepare(
        &pixels,
        784,
        engine.positions_f64(),
        &new,
        &TransformParams {
            k: 1,
            ..TransformParams::default()
        },
    )
    .expect("prepare_partial");
    let y = engine.positions_f64();
    for (i, &r) in twins.iter().enumerate() {
        assert_eq!(
            partial.positions_f64()[2 * i..2 * i + 2]
                .iter()
                .map(|v| v.to_bits())
                .collect::<Vec<_>>(),
            y[2 * r..2 * r + 2]
                .iter()
                .map(|v| v.to_bits())
                .collect::<Vec<_>>(),
            "duplicate of {r} not on its twin"
        );
    }
}

#[test]
fn phases_run_in_order_with_their_exaggeration_and_refine_continues() {
    let (pixels, _) = common::mnist(300);
    let n = 300;
    let params = TsneParams::default()
        .validate(n)
        .expect("valid")
        .with_phases(vec![phase(5, 12.0, n), phase(3, 6.0, n), phase(4, 1.0, n)])
        .expect("valid phases");
    let mut engine = TsneEngine::prepare(&pixels, 784, &params, &mut |_| {}).expect("prepare");
    let mut seen = Vec::new();
    while let Some(info) = engine.step() {
        seen.push((info.phase_index, info.exaggeration, info.learning_rate));
    }
    let expected: Vec<_> = [(0, 12.0, 5), (1, 6.0, 3), (2, 1.0, 4)]
        .iter()
        .flat_map(|&(i, e, k)| std::iter::repeat_n((i, e, n as f64 / e), k))
        .collect();
    assert_eq!(seen, expected);
    assert!(engine.is_finished());
    // Refine: more phases on the finished layout.
    engine
        .continue_with(vec![phase(2, 3.0, n)])
        .expect("valid phase");
    assert!(!engine.is_finished());
    let a = engine.step().expect("refine step");
    assert_eq!((a.iteration, a.phase_index, a.exaggeration), (13, 3, 3.0));
    let b = engine.step().expect("refine step");
    assert_eq!((b.iteration, b.phase_iteration), (14, 2));
    assert!(b.kl.is_some(), "KL at the end of a phase");
    assert!(engine.step().is_none());
    assert!(engine.positions().iter().all(|v| v.is_finite()));

    // Refining a stopped run replaces the rest of its schedule.
    let mut stopped = TsneEngine::prepare(&pixels, 784, &params, &mut |_| {}).expect("prepare");
    for _ in 0..3 {
        stopped.step().expect("step");
    }
    stopped
        .continue_with(vec![phase(2, 3.0, n)])
        .expect("valid phase");
    let rest: Vec<_> = std::iter::from_fn(|| stopped.step())
        .map(|info| (info.iteration, info.phase_index, info.exaggeration))
        .collect();
    assert_eq!(rest, [(4, 1, 3.0), (5, 1, 3.0)]);
    assert_eq!(stopped.phases().len(), 2);
    assert_eq!(stopped.phases()[0].n_iter, 3, "the stopped phase is cut");
}

#[test]
fn clay_recipe_on_3000_digits_runs_every_stage_in_order() {
    let (pixels, labels) = common::mnist_sample(3_000, 0);
    let n = labels.len();
    let params = TsneParams {
        pca_dims: Some(50),
        ..TsneParams::default()
    };
    let recipe = Preset::ClayMultistage
        .recipe(&params)
        .validate(&params, n)
        .expect("valid recipe");
    assert_eq!(recipe.stage_count(), 2);
    assert_eq!(recipe.stage_points(0).map(<[u32]>::len), Some(300));
    assert_eq!(recipe.total_iterations(), 750 + 1_250);
    let start = Instant::now();
    let mut engine = RecipeEngine::prepare(VectorBuffer::from(pixels), 784, &recipe, &mut |_| {})
        .expect("prepare");
    let placed = engine.placed().expect("sample stage marks its points");
    assert_eq!(placed.iter().filter(|&&p| p).count(), 300);
    assert!(engine.positions().iter().all(|v| v.is_finite()));
    let exaggerations = [12.0, 1.0, 12.0, 10.0, 6.0, 4.0];
    let mut last = (0, 0);
    let mut stage_starts = Vec::new();
    while let Some(step) = engine.step().expect("step") {
        assert_eq!(step.info.iteration, last.0 + 1, "iterations in order");
        assert!(step.stage_index >= last.1, "stages in order");
        if step.stage_index != last.1 || step.info.iteration == 1 {
            stage_starts.push(step.info.iteration);
        }
        let expected = exaggerations[step.info.phase_index];
        assert!((step.info.exaggeration - expected).abs() < 1e-12);
        assert_eq!(engine.placed().is_some(), step.stage_index == 0);
        last = (step.info.iteration, step.stage_index);
    }
    assert_eq!(stage_starts, [1, 751]);
    assert_eq!(last, (2_000, 1));
    let positions = engine.positions();
    assert!(positions.iter().all(|v| v.is_finite()));
    let accuracy = common::knn_label_accuracy(positions, &labels);
    println!(
        "Clay recipe, 3,000 digits: {:.2} s, 10-NN accuracy {accuracy:.4}, KL {:?}",
        start.elapsed().as_secs_f64(),
        engine.last_kl()
    );
    assert!(accuracy >= 0.85, "10-NN label accuracy {accuracy}");
}

#[test]
fn transform_places_held_out_digits_by_their_label_and_keeps_the_reference() {
    let (pixels, labels) = common::mnist_sample(3_000, 1);
    let (n_ref, dim) = (2_500, 784);
    let pca = loupe_tsne::Pca::fit(&pixels[..n_ref * dim], dim, 50, 0).expect("pca");
    let reduced = pca.transform(&pixels);
    let (reference, held_out) = reduced.split_at(n_ref * 50);
    let params = TsneParams::default().validate(n_ref).expect("valid");
    let mut engine = TsneEngine::prepare(reference, 50, &params, &mut |_| {}).expect("prepare");
    while engine.step().is_some() {}
    let before: Vec<u64> = engine.positions_f64().iter().map(|v| v.to_bits()).collect();
    let transform = |method| {
        let params = TransformParams {
            negative_gradient_method: method,
            ..TransformParams::default()
        };
        engine
            .transform(reference, 50, held_out, &params)
            .expect("transform")
    };
    let placed = transform(NegativeGradientMethod::Exact);
    let after: Vec<u64> = engine.positions_f64().iter().map(|v| v.to_bits()).collect();
    assert_eq!(before, after, "the reference moved");
    assert_eq!(placed.len(), 2 * 500);
    assert!(placed.iter().all(|v| v.is_finite()));
    let ref_pos = engine.positions();
    let agreement = |placed: &[f32]| {
        let hits = placed
            .chunks_exact(2)
            .zip(&labels[n_ref..])
            .filter(|&(p, &label)| {
                let nearest = ref_pos
                    .chunks_exact(2)
                    .map(|r| (r[0] - p[0]).powi(2) + (r[1] - p[1]).powi(2))
                    .enumerate()
                    .min_by(|a, b| a.1.total_cmp(&b.1))
                    .map(|(j, _)| j);
                nearest.is_some_and(|j| labels[j] == label)
            })
            .count();
        hits as f64 / 500.0
    };
    let accuracy = agreement(&placed);
    println!("transform: nearest-reference label agreement {accuracy:.4}");
    assert!(accuracy >= 0.88, "agreement {accuracy}");
    // Barnes–Hut over the frozen reference lands the points where the exact sum does.
    let bh = transform(NegativeGradientMethod::BarnesHut);
    let bh_accuracy = agreement(&bh);
    let spread = ref_pos.iter().fold(0.0_f32, |m, v| m.max(v.abs()));
    let mut shifts: Vec<f32> = placed
        .chunks_exact(2)
        .zip(bh.chunks_exact(2))
        .map(|(a, b)| ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt())
        .collect();
    shifts.sort_by(f32::total_cmp);
    let median_shift = shifts[shifts.len() / 2];
    println!("transform BH: agreement {bh_accuracy:.4}, median shift {median_shift} of {spread}");
    assert!(bh_accuracy >= 0.88, "BH agreement {bh_accuracy}");
    assert!(
        median_shift < 0.01 * spread,
        "BH moved points by {median_shift}"
    );
}

fn run_recipe(pixels: &[f32], threads: usize) -> Vec<u32> {
    let n = pixels.len() / 784;
    let params = small_params();
    let recipe = short_clay(&params, n, 15);
    let data = VectorBuffer::from(pixels.to_vec());
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool")
        .install(|| {
            let mut engine =
                RecipeEngine::prepare(data, 784, &recipe, &mut |_| {}).expect("prepare");
            while engine.step().expect("step").is_some() {}
            engine.positions().iter().map(|v| v.to_bits()).collect()
        })
}

#[test]
fn recipe_is_bit_identical_on_one_and_two_threads() {
    let (pixels, _) = common::mnist_sample(1_200, 2);
    assert_eq!(run_recipe(&pixels, 1), run_recipe(&pixels, 2));
}

fn wait_for(
    run: &loupe_tsne::TsneRun,
    what: &str,
    cond: impl Fn(&Snapshot) -> bool,
) -> Arc<Snapshot> {
    let deadline = Instant::now() + Duration::from_mins(2);
    loop {
        if let Some(s) = run.latest().filter(|s| cond(s)) {
            return s;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn recipe_run_publishes_stages_and_cancels_cleanly() {
    let (pixels, _) = common::mnist_sample(1_500, 4);
    let n = 1_500;
    let params = small_params();
    let recipe = short_clay(&params, n, 100);
    let data = VectorBuffer::from(pixels);

    // A full run: the sample stage, then all points, then finished.
    let run = spawn_recipe_run(data.clone(), 784, recipe.clone(), Box::new(|| {})).expect("spawn");
    let first = wait_for(&run, "the sample stage", |s| {
        s.status == RunStatus::Running && s.iteration > 0
    });
    assert_eq!((first.stage_index, first.stage_count), (0, 2));
    assert_eq!(first.stage_name, "10 % sample");
    assert!(first.placed.as_ref().is_some_and(|p| p.len() == n));
    assert_eq!(first.positions.len(), 2 * n);
    assert!(first.positions.iter().all(|v| v.is_finite()));
    let second = wait_for(&run, "the all-points stage", |s| {
        s.stage_index == 1 && s.status == RunStatus::Running && s.iteration > 200
    });
    assert!(second.placed.is_none());
    assert_eq!(second.stage_name, "all points");
    let last = run.join().expect("run").expect("snapshot");
    assert_eq!(last.status, RunStatus::Finished);
    assert_eq!(last.iteration, recipe.total_iterations());
    assert!(last.positions.iter().all(|v| v.is_finite()));

    // Cancelled in the middle of each stage: the last layout is complete and finite.
    for (stage, at) in [(0, 20), (1, 300)] {
        let run =
            spawn_recipe_run(data.clone(), 784, recipe.clone(), Box::new(|| {})).expect("spawn");
        wait_for(&run, "mid-stage", |s| s.iteration >= at);
        run.cancel();
        let last = run.join().expect("run").expect("snapshot");
        assert_eq!(last.status, RunStatus::Cancelled);
        assert_eq!(last.stage_index, stage);
        assert!(last.iteration < recipe.total_iterations());
        assert_eq!(last.positions.len(), 2 * n);
        assert!(last.positions.iter().all(|v| v.is_finite()));
    }
}

#[test]
fn recipes_are_checked_before_anything_runs() {
    let params = TsneParams::default();
    let mut bad = Preset::ClayMultistage.recipe(&params);
    bad.stages.swap(0, 1);
    assert!(bad.validate(&params, 1_000).is_err());
    let mut bad = Preset::ClayMultistage.recipe(&params);
    bad.stages[1]
        .phases
        .push(PhaseSpec::new("bad", 10, -1.0, 0.8));
    assert!(bad.validate(&params, 1_000).is_err());
    let standard = Preset::Standard
        .recipe(&params)
        .validate(&params, 1_000)
        .expect("ok");
    assert_eq!(standard.total_iterations(), 750);
    assert_eq!(standard.stage_points(0), None);
}
