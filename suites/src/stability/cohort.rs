//! Cohort manifests: which images and masks a stability study runs on.
//!
//! A manifest is a CSV file with a header and the columns `subject`, `image`, `mask` and,
//! optionally, `roi` (the RTSTRUCT ROI name or SEG segment label; a subject may be listed once
//! per ROI, and its rows are then told apart by the ROI). Paths are relative to the
//! manifest's folder unless absolute; a path starting with `$RADCHECK_DATA/` is resolved under the
//! data root ([`crate::data::root`]), so a manifest can name shared data sets portably. Images are NIfTI files or DICOM series folders; masks NIfTI,
//! RTSTRUCT or SEG, as for `radcheck extract`. Lines starting with `#` are comments; quoting as
//! every CSV radcheck reads (`csv_rows`).
//!
//! ```csv
//! subject,image,mask,roi
//! STS_001,nifti/STS_001/CT_image.nii.gz,nifti/STS_001/CT_mask.nii.gz,
//! STS_007,$RADCHECK_DATA/ibsi/ibsi_validation/dicom/STS_007/CT/image,$RADCHECK_DATA/ibsi/ibsi_validation/dicom/STS_007/CT/mask/RS.dcm,GTV_Mass_CT
//! ```

use std::path::{Path, PathBuf};

/// One case of a cohort.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CohortCase {
    /// Subject identifier (unique in the manifest).
    pub subject: String,
    /// Image: NIfTI file or DICOM series folder (resolved against the manifest's folder).
    pub image: PathBuf,
    /// Mask: NIfTI, RTSTRUCT or SEG (resolved against the manifest's folder).
    pub mask: PathBuf,
    /// ROI name (RTSTRUCT) or segment label (SEG), when needed.
    pub roi: Option<String>,
}

/// A cohort read from a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cohort {
    /// The manifest file.
    pub path: PathBuf,
    /// Its cases, in file order.
    pub cases: Vec<CohortCase>,
}

/// Why a manifest could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CohortError {
    /// The manifest could not be read.
    #[error("cannot read the cohort manifest {path}")]
    Read {
        /// The manifest.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The manifest's content is not a valid cohort.
    #[error("{path}, line {line}: {reason}")]
    Invalid {
        /// The manifest.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong and what to do.
        reason: String,
    },
}

impl Cohort {
    /// Reads a manifest (see the module documentation).
    pub fn read(path: &Path) -> Result<Cohort, CohortError> {
        let text = std::fs::read_to_string(path).map_err(|source| CohortError::Read {
            path: path.to_owned(),
            source,
        })?;
        let base = path.parent().unwrap_or(Path::new(""));
        Self::parse(&text, path, base)
    }

    fn parse(text: &str, path: &Path, base: &Path) -> Result<Cohort, CohortError> {
        let invalid = |line: usize, reason: String| CohortError::Invalid {
            path: path.to_owned(),
            line,
            reason,
        };
        let rows = crate::csv_rows::rows(text).map_err(|e| invalid(e.line, e.reason))?;
        let mut rows = rows.into_iter();
        let header = rows.next().ok_or_else(|| {
            invalid(
                1,
                "the manifest is empty; expected a header `subject,image,mask[,roi]`".into(),
            )
        })?;
        let header_line = header.line;
        let columns: Vec<String> = header
            .fields
            .into_iter()
            .map(|c| c.to_lowercase())
            .collect();
        let find = |name: &str| columns.iter().position(|c| c == name);
        let need = |name: &str| {
            find(name).ok_or_else(|| {
                invalid(
                    header_line,
                    format!(
                        "no `{name}` column (columns: {}); a manifest needs subject, image, mask and optionally roi",
                        columns.join(", ")
                    ),
                )
            })
        };
        let (cs, ci, cm) = (need("subject")?, need("image")?, need("mask")?);
        let cr = find("roi");
        let mut cases: Vec<CohortCase> = Vec::new();
        for row in rows {
            let (line, fields) = (row.line, row.fields);
            if fields.len() != columns.len() {
                return Err(invalid(
                    line,
                    format!(
                        "{} fields where the header has {}",
                        fields.len(),
                        columns.len()
                    ),
                ));
            }
            let get = |i: usize| fields[i].clone();
            let subject = get(cs);
            if subject.is_empty() {
                return Err(invalid(line, "empty subject".into()));
            }
            // A subject may appear once per ROI (one row per subject and ROI).
            let roi_of_row = cr.map(get).filter(|r| !r.is_empty());
            if cases
                .iter()
                .any(|c| c.subject == subject && c.roi == roi_of_row)
            {
                return Err(invalid(
                    line,
                    match &roi_of_row {
                        Some(r) => format!(
                            "subject `{subject}` with ROI `{r}` appears twice; each subject and ROI must be listed once"
                        ),
                        None => format!(
                            "subject `{subject}` appears twice; subjects must be unique (or name a different roi on each line)"
                        ),
                    },
                ));
            }
            let resolve = |s: String, what: &str| {
                if s.is_empty() {
                    Err(invalid(line, format!("empty {what} path for `{subject}`")))
                } else if let Some(rest) = s
                    .strip_prefix("$RADCHECK_DATA/")
                    .or_else(|| s.strip_prefix("${RADCHECK_DATA}/"))
                {
                    let root = crate::data::root().ok_or_else(|| {
                        invalid(
                            line,
                            format!(
                                "{what} path `{s}` needs the data root: set RADCHECK_DATA (data sets: {})",
                                crate::data::IBSI_DATA_URL
                            ),
                        )
                    })?;
                    Ok(root.join(rest))
                } else {
                    let p = PathBuf::from(s);
                    Ok(if p.is_absolute() { p } else { base.join(p) })
                }
            };
            let image = resolve(get(ci), "image")?;
            let mask = resolve(get(cm), "mask")?;
            let roi = cr.map(get).filter(|r| !r.is_empty());
            cases.push(CohortCase {
                subject,
                image,
                mask,
                roi,
            });
        }
        if cases.is_empty() {
            return Err(invalid(header_line, "the manifest lists no case".into()));
        }
        Ok(Cohort {
            path: path.to_owned(),
            cases,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Cohort, CohortError> {
        Cohort::parse(text, Path::new("/study/cohort.csv"), Path::new("/study"))
    }

    #[test]
    fn reads_cases_and_resolves_paths() {
        let c = parse(
            "# comment\nsubject,image,mask,roi\nA,a.nii.gz,/abs/m.nii.gz,\n\"B, 2\",dicom/B,rs.dcm,GTV-1\n",
        )
        .unwrap();
        assert_eq!(c.cases.len(), 2);
        assert_eq!(c.cases[0].image, PathBuf::from("/study/a.nii.gz"));
        assert_eq!(c.cases[0].mask, PathBuf::from("/abs/m.nii.gz"));
        assert_eq!(c.cases[0].roi, None);
        assert_eq!(c.cases[1].subject, "B, 2");
        assert_eq!(c.cases[1].roi.as_deref(), Some("GTV-1"));
    }

    #[test]
    fn errors_name_the_line_and_the_problem() {
        let e = parse("subject,image\nA,a.nii\n").unwrap_err().to_string();
        assert!(
            e.contains("line 1") && e.contains("no `mask` column"),
            "{e}"
        );
        let e = parse("subject,image,mask\nA,a,m\nA,b,n\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3") && e.contains("appears twice"), "{e}");
        // One line per ROI of a subject is allowed; the same ROI twice is not.
        let c = parse("subject,image,mask,roi\nA,a,m,GTV\nA,a,m,CTV\n").unwrap();
        assert_eq!(c.cases.len(), 2);
        let e = parse("subject,image,mask,roi\nA,a,m,GTV\nA,a,m,GTV\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("with ROI `GTV` appears twice"), "{e}");
        let e = parse("subject,image,mask\nA,a\n").unwrap_err().to_string();
        assert!(e.contains("2 fields where the header has 3"), "{e}");
        let e = parse("subject,image,mask\n").unwrap_err().to_string();
        assert!(e.contains("no case"), "{e}");
    }
}
