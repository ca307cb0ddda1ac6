//! A release's contributors (issue 15): who made it and in which role, with the role names of
//! DDEX (`DisplayArtistRole` for main and featured artists, `ContributorRole` for the others),
//! for the whole release or for one of its tracks.

use serde::Serialize;

use crate::error::{Error, Result};

/// A contributor's role: the DDEX allowed values this ledger takes.
///
/// [`ContributorRole::MainArtist`] and [`ContributorRole::FeaturedArtist`] are display artists
/// (ERN 4.3 `DisplayArtist` with its `DisplayArtistRole`); the others are `Contributor`s of
/// the sound recordings with their `Role`.
///
/// ```
/// use isrc_registry::ContributorRole;
/// assert_eq!("Composer".parse::<ContributorRole>().unwrap(), ContributorRole::Composer);
/// assert_eq!("featured artist".parse::<ContributorRole>().unwrap(), ContributorRole::FeaturedArtist);
/// let error = "Drummer".parse::<ContributorRole>().unwrap_err().to_string();
/// assert!(error.contains("\"Drummer\"") && error.contains("Lyricist"), "{error}");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ContributorRole {
    /// The artist the release or track is by.
    MainArtist,
    /// An artist featured beside the main artist ("feat.").
    FeaturedArtist,
    /// Wrote the music.
    Composer,
    /// Wrote the words.
    Lyricist,
    /// Wrote music and words.
    ComposerLyricist,
    /// Arranged the work.
    Arranger,
    /// Produced the recording.
    Producer,
    /// Made the remix.
    Remixer,
    /// Mixed the recording.
    MixingEngineer,
    /// Mastered the recording.
    MasteringEngineer,
    /// Recorded it.
    RecordingEngineer,
    /// Conducted the performers.
    Conductor,
    /// Led the orchestra or ensemble.
    Orchestra,
}

impl ContributorRole {
    /// Every role, in the order the documentation lists them.
    pub const ALL: [ContributorRole; 13] = [
        ContributorRole::MainArtist,
        ContributorRole::FeaturedArtist,
        ContributorRole::Composer,
        ContributorRole::Lyricist,
        ContributorRole::ComposerLyricist,
        ContributorRole::Arranger,
        ContributorRole::Producer,
        ContributorRole::Remixer,
        ContributorRole::MixingEngineer,
        ContributorRole::MasteringEngineer,
        ContributorRole::RecordingEngineer,
        ContributorRole::Conductor,
        ContributorRole::Orchestra,
    ];

    /// The DDEX name (`MainArtist`, `Composer`...).
    pub fn as_str(self) -> &'static str {
        match self {
            ContributorRole::MainArtist => "MainArtist",
            ContributorRole::FeaturedArtist => "FeaturedArtist",
            ContributorRole::Composer => "Composer",
            ContributorRole::Lyricist => "Lyricist",
            ContributorRole::ComposerLyricist => "ComposerLyricist",
            ContributorRole::Arranger => "Arranger",
            ContributorRole::Producer => "Producer",
            ContributorRole::Remixer => "Remixer",
            ContributorRole::MixingEngineer => "MixingEngineer",
            ContributorRole::MasteringEngineer => "MasteringEngineer",
            ContributorRole::RecordingEngineer => "RecordingEngineer",
            ContributorRole::Conductor => "Conductor",
            ContributorRole::Orchestra => "Orchestra",
        }
    }

    /// A main or featured artist: a `DisplayArtist` in ERN, not a `Contributor`.
    pub fn is_display_artist(self) -> bool {
        matches!(
            self,
            ContributorRole::MainArtist | ContributorRole::FeaturedArtist
        )
    }
}

impl std::fmt::Display for ContributorRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for ContributorRole {
    type Err = Error;

    /// Reads a DDEX role name; case, spaces, hyphens and underscores do not matter
    /// (`featured-artist` is `FeaturedArtist`).
    fn from_str(text: &str) -> Result<ContributorRole> {
        let folded: String = text
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '_'))
            .flat_map(char::to_lowercase)
            .collect();
        ContributorRole::ALL
            .into_iter()
            .find(|r| r.as_str().to_lowercase() == folded)
            .ok_or_else(|| {
                let names: Vec<&str> = ContributorRole::ALL.iter().map(|r| r.as_str()).collect();
                Error::invalid(
                    "role",
                    format!(
                        "{text:?} is not a contributor role: use one of {}",
                        names.join(", ")
                    ),
                )
            })
    }
}

impl Serialize for Contributor {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = s.serialize_struct("Contributor", 3)?;
        out.serialize_field("name", &self.name)?;
        out.serialize_field("role", self.role.as_str())?;
        out.serialize_field("track", &self.track)?;
        out.end()
    }
}

/// One contributor of a release: a name, a role, and the track (1-based position on the
/// release) it is credited on, or `None` for every track of the release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contributor {
    /// The person's or group's name.
    pub name: String,
    /// What they did.
    pub role: ContributorRole,
    /// The track position, or `None` for the whole release.
    pub track: Option<u32>,
}

/// At most this many contributors on a release.
pub const MAX_CONTRIBUTORS: usize = 500;

impl Contributor {
    /// Reads `Name:Role` (the whole release) or `Name:Role:N` (track N), as `isrc release
    /// --contributor` takes it. The name may hold colons: the role is the last part (or the
    /// one before a track number).
    ///
    /// ```
    /// use isrc_registry::{Contributor, ContributorRole};
    /// let c = Contributor::parse("Ariane:MainArtist").unwrap();
    /// assert_eq!((c.name.as_str(), c.role, c.track), ("Ariane", ContributorRole::MainArtist, None));
    /// let c = Contributor::parse("DJ: Snow:Remixer:2").unwrap();
    /// assert_eq!((c.name.as_str(), c.role, c.track), ("DJ: Snow", ContributorRole::Remixer, Some(2)));
    /// assert!(Contributor::parse("Ariane").unwrap_err().to_string().contains("Name:Role"));
    /// ```
    pub fn parse(text: &str) -> Result<Contributor> {
        let shape = || {
            Error::invalid(
                "contributor",
                format!(
                    "{text:?}: give Name:Role or Name:Role:TRACK, such as \"Ariane:MainArtist\""
                ),
            )
        };
        let (rest, last) = text.rsplit_once(':').ok_or_else(shape)?;
        let (name, role, track) = match last.trim().parse::<u32>() {
            Ok(n) => {
                let (name, role) = rest.rsplit_once(':').ok_or_else(shape)?;
                (name, role, Some(n))
            }
            Err(_) => (rest, last, None),
        };
        let role = role.trim().parse().map_err(|e: Error| match e {
            Error::Invalid { message, .. } => {
                Error::invalid("contributor", format!("in {text:?}: {message}"))
            }
            other => other,
        })?;
        Ok(Contributor {
            name: name.trim().to_string(),
            role,
            track,
        })
    }
}

impl std::fmt::Display for Contributor {
    /// `Name:Role` or `Name:Role:N`, what [`Contributor::parse`] reads.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.name, self.role)?;
        if let Some(n) = self.track {
            write!(f, ":{n}")?;
        }
        Ok(())
    }
}

/// Checks a release's contributors against its `tracks` count: a name (no control
/// characters, at most 1000 bytes), a track position on the release, no contributor twice in
/// the same role on the same track, at most [`MAX_CONTRIBUTORS`].
pub(crate) fn validate_contributors(contributors: &[Contributor], tracks: usize) -> Result<()> {
    if contributors.len() > MAX_CONTRIBUTORS {
        return Err(Error::invalid(
            "contributors",
            format!("at most {MAX_CONTRIBUTORS} contributors"),
        ));
    }
    for (i, c) in contributors.iter().enumerate() {
        let n = i + 1;
        if c.name.trim().is_empty() {
            return Err(Error::invalid(
                "contributors",
                format!("contributor {n} ({}) has no name", c.role),
            ));
        }
        if c.name.len() > 1000 {
            return Err(Error::invalid(
                "contributors",
                format!("contributor {n}: the name is longer than 1000 bytes"),
            ));
        }
        crate::text::refuse_control_characters("contributors", &c.name)?;
        if let Some(t) = c.track
            && (t == 0 || t as usize > tracks)
        {
            return Err(Error::invalid(
                "contributors",
                format!(
                    "contributor {n} ({c}) is credited on track {t}, but the release has {tracks} track(s)"
                ),
            ));
        }
        if contributors[..i].contains(c) {
            return Err(Error::invalid(
                "contributors",
                format!("contributor {n} ({c}) is listed twice"),
            ));
        }
    }
    Ok(())
}

/// The contributors as one CSV cell: `Name:Role` or `Name:Role:N`, separated by `; `.
pub fn contributors_cell(contributors: &[Contributor]) -> String {
    contributors
        .iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}
