//! What a door's devices do after a decision: the strike output, the reader's LED and
//! its buzzer, as OSDP commands.
//!
//! Owns the wiring convention of a controlled door — output 0 drives the strike, LED 0
//! of the reader that read is the one shown — and the signals: an opening pulses the
//! strike for [`STRIKE_PULSE`] with the LED green and one beep; a refusal shows red
//! with three short beeps; a door waiting for a second factor blinks amber. It must
//! never decide: it only translates an outcome into commands.

use std::time::Duration;

use accessctl_devices::osdp::{
    BuzzerControl, Command, LedColor, LedControl, OutputControl, OutputControlCode, PermanentLed,
    TemporaryLed, TemporaryLedCode, ToneCode,
};

/// The output that drives the door strike.
pub const STRIKE_OUTPUT: u8 = 0;

/// How long the strike is released on an opening.
pub const STRIKE_PULSE: Duration = Duration::from_secs(3);

/// How long a refusal shows red.
const REFUSAL_SHOWN: Duration = Duration::from_secs(2);

/// OSDP timers count tenths of a second.
fn tenths(duration: Duration) -> u16 {
    u16::try_from(duration.as_millis() / 100).unwrap_or(u16::MAX)
}

/// Strike released for [`STRIKE_PULSE`], LED green, one beep.
pub fn open(reader: u8) -> Vec<Command> {
    vec![
        Command::Out(vec![OutputControl {
            output: STRIKE_OUTPUT,
            code: OutputControlCode::TEMPORARY_ON,
            timer: tenths(STRIKE_PULSE),
        }]),
        Command::Led(vec![led(reader, LedColor::GREEN, 10, 0, STRIKE_PULSE)]),
        Command::Buz(beeps(reader, 1, 3)),
    ]
}

/// LED red, three short beeps; the strike stays shut.
pub fn refuse(reader: u8) -> Vec<Command> {
    vec![
        Command::Led(vec![led(reader, LedColor::RED, 10, 0, REFUSAL_SHOWN)]),
        Command::Buz(beeps(reader, 3, 1)),
    ]
}

/// LED blinking amber for `wait`: present the other factor.
pub fn ask_second_factor(reader: u8, wait: Duration) -> Vec<Command> {
    vec![Command::Led(vec![led(reader, LedColor::AMBER, 3, 3, wait)])]
}

/// A temporary LED setting (`on`/`off` in tenths) that lasts `lasting`, then back to
/// the permanent state.
fn led(reader: u8, color: LedColor, on: u8, off: u8, lasting: Duration) -> LedControl {
    LedControl {
        reader,
        led: 0,
        temporary: TemporaryLed {
            code: TemporaryLedCode::SET,
            on_time: on,
            off_time: off,
            on_color: color,
            off_color: LedColor::BLACK,
            timer: tenths(lasting),
        },
        permanent: PermanentLed::default(),
    }
}

/// `count` beeps of `on` tenths each.
fn beeps(reader: u8, count: u8, on: u8) -> BuzzerControl {
    BuzzerControl {
        reader,
        tone: ToneCode::DEFAULT,
        on_time: on,
        off_time: 1,
        count,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_opening_pulses_output_0_for_three_seconds() {
        let Command::Out(records) = &open(0)[0] else {
            panic!("the strike first");
        };
        assert_eq!(records[0].output, STRIKE_OUTPUT);
        assert_eq!(records[0].code, OutputControlCode::TEMPORARY_ON);
        assert_eq!(records[0].timer, 30);
    }

    #[test]
    fn a_refusal_never_touches_the_strike() {
        assert!(refuse(0).iter().all(|c| !matches!(c, Command::Out(_))));
        assert!(ask_second_factor(0, Duration::from_secs(10))
            .iter()
            .all(|c| !matches!(c, Command::Out(_))));
    }
}
