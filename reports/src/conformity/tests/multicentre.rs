//! The rules that read harmonisation and redundancy evidence (`rules/multicentre.rs`).

use super::*;

fn harmonisation(split: bool, after: usize) -> String {
    let fitted = if split {
        r#""fitted_on": {"source": "t.csv", "split_column": "split", "values": ["training"], "rows": 8},
           "applied_to": {"source": "t.csv", "split_column": "split", "values": ["test"], "rows": 2}"#
    } else {
        r#""fitted_on": {"source": "t.csv", "split_column": null, "values": [], "rows": 10}, "applied_to": null"#
    };
    format!(
        r#"{{"kind": "harmonisation", "settings": {{"method": "parametric", "batch_column": "site", "covariates": ["sex (categorical)"]}},
        "fit": {{{fitted}, "rows_total": 10}},
        "before": {{"tested": 200, "with_batch_effect": 150, "share_with_batch_effect": 0.75, "alpha": 0.05, "batch_share_of_variance": 0.6}},
        "after": {{"tested": 200, "with_batch_effect": {after}, "share_with_batch_effect": {}, "alpha": 0.05, "batch_share_of_variance": 0.01}}}}"#,
        after as f64 / 200.0
    )
}

fn study(kind: &str, json: &str, extra: &str) -> Study {
    let manifest = format!("{HEAD}{extra}[[evidence]]\nkind = \"{kind}\"\npath = \"e.json\"\n");
    let kind = match kind {
        "harmonisation" => EvidenceKind::Harmonisation,
        _ => EvidenceKind::Redundancy,
    };
    study_of(&manifest, &[("e.json", kind, json)])
}

#[test]
fn harmonisation_decides_confounders_and_informs_partitioning() {
    let cohorts = "[[cohort]]\nname = \"a\"\nrole = \"training\"\ninstitutions = [\"A\"]\n[[cohort]]\nname = \"b\"\nrole = \"external\"\ninstitutions = [\"B\"]\n";
    let s = study("harmonisation", &harmonisation(true, 0), cohorts);
    let m = assess(&s, &Checklist::builtin("metrics").unwrap()).unwrap();
    let nineteen = item(&m, "19");
    assert_eq!(
        (nineteen.status, nineteen.decided_by),
        (Status::Met, DecidedBy::Evidence)
    );
    assert!(
        nineteen.evidence[0].detail.contains(
            "150/200 (75.0%) before, 0/200 (0.0%) after; variance explained by batch 60.0% -> 1.0%"
        ),
        "{:?}",
        nineteen.evidence
    );
    let eighteen = item(&m, "18");
    assert_eq!(eighteen.decided_by, DecidedBy::Manifest);
    assert!(eighteen.evidence.iter().any(|n| {
        !n.decisive
            && n.detail
                .contains("fitted on the 8 rows with split = training only")
    }));

    // Fitted on every row: a warning under 18, the decision of 19 stays with the numbers.
    let s = study("harmonisation", &harmonisation(false, 0), cohorts);
    let m = assess(&s, &Checklist::builtin("metrics").unwrap()).unwrap();
    assert!(
        item(&m, "18")
            .evidence
            .iter()
            .any(|n| n.detail.contains("fitted on all 10 rows"))
    );

    // No reduction: not met.
    let s = study("harmonisation", &harmonisation(true, 160), cohorts);
    let m = assess(&s, &Checklist::builtin("metrics").unwrap()).unwrap();
    assert_eq!(item(&m, "19").status, Status::NotMet);
}

#[test]
fn redundancy_decides_redundant_features_and_feature_reduction() {
    let json = r#"{"kind": "redundancy", "summary": {"method": "spearman", "threshold": 0.9, "features": 200, "clusters": 120, "removed": 80},
        "representative_rule": "largest mean |r|"}"#;
    let s = study("redundancy", json, "");
    let m = assess(&s, &Checklist::builtin("metrics").unwrap()).unwrap();
    let fifteen = item(&m, "15");
    assert_eq!(
        (fifteen.status, fifteen.decided_by),
        (Status::Met, DecidedBy::Evidence)
    );
    assert!(
        fifteen.evidence[0]
            .detail
            .starts_with("200 features in 120 clusters of |spearman r| >= 0.9")
    );
    let r = assess(&s, &Checklist::builtin("rqs").unwrap()).unwrap();
    let five = item(&r, "5");
    assert_eq!(
        (five.status, five.decided_by),
        (Status::Met, DecidedBy::Evidence)
    );
    // A manifest that says no redundant features were removed keeps its word; the analysis is cited.
    let s = study(
        "redundancy",
        json,
        "[analysis]\nredundant_removed = false\n",
    );
    let m = assess(&s, &Checklist::builtin("metrics").unwrap()).unwrap();
    let fifteen = item(&m, "15");
    assert_eq!(
        (fifteen.status, fifteen.decided_by),
        (Status::NotMet, DecidedBy::Manifest)
    );
    assert!(
        fifteen
            .evidence
            .iter()
            .any(|n| n.file == "e.json" && !n.decisive)
    );
}
