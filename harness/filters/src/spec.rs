//! The compact filter form of the command line: `FAMILY[:ITEM,ITEM,...]`.
//!
//! An item is `key=value` or a bare value that stands for the family's main parameter.
//! Common items: `2d` or `3d`, `boundary=zero|nearest|periodic|mirror` (default mirror).
//! Angles are radians (`0.5`), multiples of pi (`pi/3`, `5pi/4`, `-5pi/8`) or degrees (`60deg`).
//!
//! | family | items | example |
//! |---|---|---|
//! | `mean` | `support=N` (odd, voxels; bare N) | `mean:15` |
//! | `log` | `sigma=MM` (bare), `truncation=T` (sigmas, default 4) | `log:sigma=3,3d` |
//! | `laws` | kernel (bare, e.g. `E5L5S5`), `pool=max\|mean` (rotation invariance), `energy=DELTA` | `laws:E5L5S5,pool=max,energy=7` |
//! | `gabor` | `sigma=MM`, `lambda=MM`, `gamma=G`, `theta=ANGLE`, `step=ANGLE` with `pool=mean\|max`, `planes=3` (axial, coronal, sagittal) | `gabor:sigma=10,lambda=4,gamma=0.5,theta=pi/3` |
//! | `wavelet` | name (bare, `db2`), set (bare, `LHL`), `level=N`, `pool=mean\|max` | `wavelet:db2,LHL,level=1,pool=mean` |
//! | `simoncelli` | `level=N` (bare) | `simoncelli:level=2` |
//! | `riesz-log` | `sigma=MM`, `truncation=T`, `order=DIGITS` (one per axis, `100`), `steer=MM` | `riesz-log:sigma=3,order=100` |
//! | `riesz-simoncelli` | `level=N`, `order=DIGITS`, `steer=MM` | `riesz-simoncelli:level=1,order=020` |

use crate::{
    Boundary, Dimensions, FilterSettings, GaborSettings, LawsSettings, LogSettings, MeanSettings,
    Pooling, RieszBase, RieszSettings, SettingsError, SimoncelliSettings, Steering,
    WaveletSettings,
};

/// A filter spec that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("filter `{spec}`: {reason}")]
pub struct SpecError {
    /// The spec as given.
    pub spec: String,
    /// The parameter (or `family`) that is wrong.
    pub parameter: String,
    /// What is wrong.
    pub reason: String,
}

/// The families the spec knows, for messages.
pub const FAMILIES: &str =
    "mean, log, laws, gabor, wavelet, simoncelli, riesz-log, riesz-simoncelli";

struct Items<'a> {
    spec: &'a str,
    bare: Vec<&'a str>,
    keyed: Vec<(&'a str, &'a str)>,
    used: Vec<bool>,
}

impl<'a> Items<'a> {
    fn err(&self, parameter: &str, reason: impl Into<String>) -> SpecError {
        SpecError {
            spec: self.spec.to_owned(),
            parameter: parameter.to_owned(),
            reason: format!("`{parameter}` {}", reason.into()),
        }
    }

    fn take(&mut self, key: &str) -> Option<&'a str> {
        let i = self
            .keyed
            .iter()
            .position(|(k, _)| k.eq_ignore_ascii_case(key))?;
        self.used[i] = true;
        Some(self.keyed[i].1)
    }

    fn number(&mut self, key: &str) -> Result<Option<f64>, SpecError> {
        match self.take(key) {
            None => Ok(None),
            Some(v) => v
                .trim_end_matches("mm")
                .parse::<f64>()
                .map(Some)
                .map_err(|_| self.err(key, format!("is not a number: `{v}`"))),
        }
    }

    fn required(&mut self, key: &str, bare: Option<f64>) -> Result<f64, SpecError> {
        match (self.number(key)?, bare) {
            (Some(v), _) | (None, Some(v)) => Ok(v),
            (None, None) => Err(self.err(key, "is missing")),
        }
    }

    fn integer(&mut self, key: &str) -> Result<Option<u64>, SpecError> {
        match self.take(key) {
            None => Ok(None),
            Some(v) => v
                .parse::<u64>()
                .map(Some)
                .map_err(|_| self.err(key, format!("is not a whole number: `{v}`"))),
        }
    }

    fn angle(&mut self, key: &str) -> Result<Option<f64>, SpecError> {
        match self.take(key) {
            None => Ok(None),
            Some(v) => parse_angle(v).map(Some).ok_or_else(|| {
                self.err(
                    key,
                    format!("is not an angle (`0.5`, `pi/3`, `60deg`): `{v}`"),
                )
            }),
        }
    }

    fn pooling(&mut self) -> Result<Option<Pooling>, SpecError> {
        match self.take("pool") {
            None => Ok(None),
            Some(v) => match v.to_ascii_lowercase().as_str() {
                "max" => Ok(Some(Pooling::Max)),
                "mean" => Ok(Some(Pooling::Mean)),
                _ => Err(self.err("pool", format!("must be max or mean, got `{v}`"))),
            },
        }
    }

    fn bare_number(&mut self, parameter: &str) -> Result<Option<f64>, SpecError> {
        match self.bare.first() {
            None => Ok(None),
            Some(v) => {
                let v = *v;
                self.bare.remove(0);
                v.trim_end_matches("mm")
                    .parse()
                    .map(Some)
                    .map_err(|_| self.err(parameter, format!("is not a number: `{v}`")))
            }
        }
    }

    fn order(&mut self, d: usize) -> Result<Vec<u32>, SpecError> {
        let v = self
            .take("order")
            .ok_or_else(|| self.err("order", "is missing"))?;
        let digits: Option<Vec<u32>> = v.chars().map(|c| c.to_digit(10)).collect();
        match digits {
            Some(o) if o.len() == d => Ok(o),
            _ => Err(self.err(
                "order",
                format!("must be one digit per axis ({d} for this filter), e.g. `100`; got `{v}`"),
            )),
        }
    }

    /// Errors on anything not taken.
    fn finish(&self) -> Result<(), SpecError> {
        if let Some(b) = self.bare.first() {
            return Err(SpecError {
                spec: self.spec.to_owned(),
                parameter: (*b).to_owned(),
                reason: format!("`{b}` is not a parameter of this filter"),
            });
        }
        if let Some(((k, _), _)) = self.keyed.iter().zip(&self.used).find(|(_, u)| !**u) {
            return Err(SpecError {
                spec: self.spec.to_owned(),
                parameter: (*k).to_owned(),
                reason: format!("`{k}` is not a parameter of this filter"),
            });
        }
        Ok(())
    }
}

/// Reads an angle: radians, `[sign][coef]pi[/den]`, or degrees with `deg`.
pub fn parse_angle(text: &str) -> Option<f64> {
    let t = text.trim().to_ascii_lowercase();
    if let Some(deg) = t.strip_suffix("deg") {
        return deg.trim().parse::<f64>().ok().map(f64::to_radians);
    }
    if let Some(pos) = t.find("pi") {
        let (coef, rest) = (&t[..pos], &t[pos + 2..]);
        let coef = match coef {
            "" | "+" => 1.0,
            "-" => -1.0,
            c => c.trim_end_matches('*').parse::<f64>().ok()?,
        };
        let den = match rest.strip_prefix('/') {
            Some(d) => d.parse::<f64>().ok()?,
            None if rest.is_empty() => 1.0,
            None => return None,
        };
        return Some(coef * std::f64::consts::PI / den);
    }
    t.parse().ok()
}

/// Parses a spec; the result is validated (a wrong value names its parameter).
pub fn parse(spec: &str) -> Result<FilterSettings, SpecError> {
    let (family, rest) = spec.split_once(':').unwrap_or((spec, ""));
    let family = family.trim().to_ascii_lowercase();
    let mut items = Items {
        spec,
        bare: Vec::new(),
        keyed: Vec::new(),
        used: Vec::new(),
    };
    let mut dimensions = None;
    for item in rest.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        match item.split_once('=') {
            Some((k, v)) => {
                items.keyed.push((k.trim(), v.trim()));
                items.used.push(false);
            }
            None if item.eq_ignore_ascii_case("2d") => dimensions = Some(Dimensions::TwoD),
            None if item.eq_ignore_ascii_case("3d") => dimensions = Some(Dimensions::ThreeD),
            None => items.bare.push(item),
        }
    }
    let boundary = match items.take("boundary") {
        None => Boundary::default(),
        Some(b) => Boundary::ALL
            .into_iter()
            .find(|x| x.as_str().eq_ignore_ascii_case(b))
            .ok_or_else(|| {
                items.err(
                    "boundary",
                    format!("must be zero, nearest, periodic or mirror, got `{b}`"),
                )
            })?,
    };
    let dims = dimensions.unwrap_or_default();
    let settings = match family.as_str() {
        "mean" => {
            let bare = items.bare_number("support")?;
            let support = items.required("support", bare)?;
            if support.fract() != 0.0 || support < 1.0 {
                return Err(items.err(
                    "support",
                    format!("must be a whole number of voxels, got {support}"),
                ));
            }
            FilterSettings::Mean(MeanSettings {
                support: support as usize,
                dimensions: dims,
                boundary,
            })
        }
        "log" | "laplacian_of_gaussian" => {
            let bare = items.bare_number("sigma")?;
            FilterSettings::LaplacianOfGaussian(LogSettings {
                sigma_mm: items.required("sigma", bare)?,
                truncation: items.number("truncation")?.unwrap_or(4.0),
                dimensions: dims,
                boundary,
            })
        }
        "laws" => {
            let kernel = match items.take("kernel") {
                Some(k) => k.to_owned(),
                None if !items.bare.is_empty() => items.bare.remove(0).to_owned(),
                None => return Err(items.err("kernel", "is missing")),
            };
            // The number of kernels sets the dimensions unless given.
            let dimensions = dimensions.unwrap_or(if kernel.len() == 4 {
                Dimensions::TwoD
            } else {
                Dimensions::ThreeD
            });
            FilterSettings::Laws(LawsSettings {
                kernel,
                dimensions,
                boundary,
                rotation_invariance: items.pooling()?,
                energy_distance: items.integer("energy")?.map(|e| e as usize),
            })
        }
        "gabor" => {
            let rotation_invariance = items.pooling()?;
            let delta_theta = items.angle("step")?;
            let planes = items.integer("planes")?;
            if planes.is_some_and(|p| p != 1 && p != 3) {
                return Err(items.err(
                    "planes",
                    "must be 1 (axial) or 3 (axial, coronal, sagittal)",
                ));
            }
            FilterSettings::Gabor(GaborSettings {
                sigma_mm: items.required("sigma", None)?,
                wavelength_mm: items.required("lambda", None)?,
                gamma: items.number("gamma")?.unwrap_or(1.0),
                theta: items.angle("theta")?.unwrap_or(0.0),
                rotation_invariance: rotation_invariance.or(delta_theta.map(|_| Pooling::Mean)),
                delta_theta,
                orthogonal_planes: planes == Some(3),
                boundary,
            })
        }
        "wavelet" => {
            let mut name = items.take("wavelet").map(str::to_owned);
            let mut set = items.take("set").map(str::to_owned);
            for b in std::mem::take(&mut items.bare) {
                let is_set = b.chars().all(|c| matches!(c, 'L' | 'H' | 'l' | 'h'));
                if is_set && set.is_none() {
                    set = Some(b.to_owned());
                } else if name.is_none() {
                    name = Some(b.to_owned());
                } else {
                    items.bare.push(b);
                }
            }
            let name = name.ok_or_else(|| items.err("wavelet", "is missing (e.g. db2)"))?;
            let set = set.ok_or_else(|| items.err("set", "is missing (e.g. LHL)"))?;
            let dimensions = dimensions.unwrap_or(if set.len() == 2 {
                Dimensions::TwoD
            } else {
                Dimensions::ThreeD
            });
            FilterSettings::Wavelet(WaveletSettings {
                wavelet: name,
                set,
                level: items.integer("level")?.unwrap_or(1) as u32,
                dimensions,
                boundary,
                rotation_invariance: items.pooling()?,
            })
        }
        "simoncelli" => {
            let bare = items.bare_number("level")?;
            let level = match (items.integer("level")?, bare) {
                (Some(l), _) => l as f64,
                (None, Some(b)) => b,
                (None, None) => 1.0,
            };
            FilterSettings::Simoncelli(SimoncelliSettings {
                level: level as u32,
                dimensions: dims,
                boundary,
            })
        }
        "riesz-log" | "riesz-simoncelli" => {
            let base = if family == "riesz-log" {
                RieszBase::LaplacianOfGaussian {
                    sigma_mm: items.required("sigma", None)?,
                    truncation: items.number("truncation")?.unwrap_or(4.0),
                }
            } else {
                RieszBase::Simoncelli {
                    level: items.integer("level")?.unwrap_or(1) as u32,
                }
            };
            FilterSettings::Riesz(RieszSettings {
                base,
                order: items.order(dims.count())?,
                steering: items
                    .number("steer")?
                    .map(|tensor_sigma_mm| Steering { tensor_sigma_mm }),
                dimensions: dims,
                boundary,
            })
        }
        other => {
            return Err(SpecError {
                spec: spec.to_owned(),
                parameter: "family".into(),
                reason: format!("unknown filter family `{other}` (known: {FAMILIES})"),
            });
        }
    };
    items.finish()?;
    settings.validate().map_err(|e: SettingsError| SpecError {
        spec: spec.to_owned(),
        parameter: e.parameter.clone(),
        reason: e.to_string(),
    })?;
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use std::f64::consts::PI;

    use super::*;

    #[test]
    fn angles_in_radians_pi_fractions_and_degrees() {
        assert_eq!(parse_angle("0.5"), Some(0.5));
        assert_eq!(parse_angle("pi/3"), Some(PI / 3.0));
        assert_eq!(parse_angle("5pi/4"), Some(5.0 * PI / 4.0));
        assert_eq!(parse_angle("-5pi/8"), Some(-5.0 * PI / 8.0));
        assert_eq!(parse_angle("pi"), Some(PI));
        assert_eq!(parse_angle("60deg"), Some(60f64.to_radians()));
        assert_eq!(parse_angle("pie"), None);
        assert_eq!(parse_angle("pi/x"), None);
    }

    #[test]
    fn every_family_of_the_help_text_parses_to_its_settings() {
        assert_eq!(
            parse("mean:15,boundary=zero").unwrap(),
            FilterSettings::Mean(MeanSettings {
                support: 15,
                dimensions: Dimensions::ThreeD,
                boundary: Boundary::Zero
            })
        );
        assert_eq!(
            parse("log:sigma=3,3d").unwrap(),
            FilterSettings::LaplacianOfGaussian(LogSettings {
                sigma_mm: 3.0,
                truncation: 4.0,
                dimensions: Dimensions::ThreeD,
                boundary: Boundary::Mirror
            })
        );
        assert_eq!(
            parse("laws:E5L5S5,pool=max,energy=7").unwrap(),
            FilterSettings::Laws(LawsSettings {
                kernel: "E5L5S5".into(),
                dimensions: Dimensions::ThreeD,
                boundary: Boundary::Mirror,
                rotation_invariance: Some(Pooling::Max),
                energy_distance: Some(7),
            })
        );
        assert_eq!(parse("laws:L5S5").unwrap().dimensions(), Dimensions::TwoD);
        let FilterSettings::Gabor(g) =
            parse("gabor:sigma=10,lambda=4,gamma=0.5,theta=pi/3").unwrap()
        else {
            panic!()
        };
        assert_eq!((g.sigma_mm, g.wavelength_mm, g.gamma), (10.0, 4.0, 0.5));
        assert!((g.theta - PI / 3.0).abs() < 1e-15);
        assert_eq!(g.rotation_invariance, None);
        let FilterSettings::Gabor(g) =
            parse("gabor:sigma=20,lambda=8,gamma=2.5,step=pi/8,planes=3").unwrap()
        else {
            panic!()
        };
        assert_eq!(g.rotation_invariance, Some(Pooling::Mean));
        assert!(g.orthogonal_planes);
        assert_eq!(
            parse("wavelet:db2,LHL,level=1,pool=mean").unwrap(),
            FilterSettings::Wavelet(WaveletSettings {
                wavelet: "db2".into(),
                set: "LHL".into(),
                level: 1,
                dimensions: Dimensions::ThreeD,
                boundary: Boundary::Mirror,
                rotation_invariance: Some(Pooling::Mean),
            })
        );
        assert_eq!(
            parse("simoncelli:level=2,boundary=periodic").unwrap(),
            FilterSettings::Simoncelli(SimoncelliSettings {
                level: 2,
                dimensions: Dimensions::ThreeD,
                boundary: Boundary::Periodic
            })
        );
        let FilterSettings::Riesz(r) = parse("riesz-log:sigma=3,order=100").unwrap() else {
            panic!()
        };
        assert_eq!(r.order, vec![1, 0, 0]);
        let FilterSettings::Riesz(r) = parse("riesz-simoncelli:level=1,order=020,steer=1").unwrap()
        else {
            panic!()
        };
        assert_eq!(
            r.steering,
            Some(Steering {
                tensor_sigma_mm: 1.0
            })
        );
    }

    #[test]
    fn bad_specs_name_the_parameter() {
        let p = |s: &str| parse(s).unwrap_err().parameter;
        assert_eq!(p("sobel:3"), "family");
        assert_eq!(p("log:sigma=-2"), "sigma_mm");
        assert_eq!(p("log"), "sigma");
        assert_eq!(p("log:sigma=abc"), "sigma");
        assert_eq!(p("wavelet:db99,LHL"), "wavelet");
        assert_eq!(p("wavelet:db2,LHL,level=0"), "level");
        assert_eq!(p("laws:E5L5X5"), "kernel");
        assert_eq!(p("laws:E5L"), "kernel");
        assert_eq!(p("mean:4"), "support");
        assert_eq!(p("mean:15,boundary=reflect"), "boundary");
        assert_eq!(p("mean:15,colour=red"), "colour");
        assert_eq!(p("riesz-log:sigma=3,order=10"), "order");
        let e = parse("log:sigma=-2").unwrap_err().to_string();
        assert!(e.contains("sigma_mm") && e.contains("-2"), "{e}");
    }
}
