//! What a control panel made a simulated device do: outputs (the strike), LEDs and the
//! buzzer, gathered from the peripheral device's events.
//!
//! Owns [`ControlPanelResponse`], whether it opened the door, and its one-line text
//! (`output 0 pulsed 3.0 s · LED green · buzzer 1 beep`). It never judges whether the
//! control panel was right to answer so.

use std::fmt;

use crate::osdp::command::{
    BuzzerControl, LedColor, LedControl, OutputControl, OutputControlCode, PermanentLedCode,
    TemporaryLedCode, ToneCode,
};
use crate::osdp::peripheral::PeripheralEvent;

/// The outputs, LEDs and buzzer commands a control panel sent, in order of arrival.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ControlPanelResponse {
    /// `osdp_OUT` records.
    pub outputs: Vec<OutputControl>,
    /// `osdp_LED` records.
    pub leds: Vec<LedControl>,
    /// `osdp_BUZ` commands.
    pub buzzers: Vec<BuzzerControl>,
}

impl ControlPanelResponse {
    /// Keeps what `event` asks of the device; returns whether it was an output, LED or
    /// buzzer command.
    pub fn record(&mut self, event: &PeripheralEvent) -> bool {
        match event {
            PeripheralEvent::Output(records) => self.outputs.extend_from_slice(records),
            PeripheralEvent::Led(records) => self.leds.extend_from_slice(records),
            PeripheralEvent::Buzzer(buzzer) => self.buzzers.push(*buzzer),
            _ => return false,
        }
        true
    }

    /// Whether nothing was asked yet.
    pub fn is_empty(&self) -> bool {
        self.outputs.is_empty() && self.leds.is_empty() && self.buzzers.is_empty()
    }

    /// Whether an output was switched on (pulsed or held): the strike released.
    pub fn opened(&self) -> bool {
        self.outputs.iter().any(switches_on)
    }

    /// Whether an LED was turned red: the usual sign of a refusal.
    pub fn shows_red(&self) -> bool {
        self.leds
            .iter()
            .any(|led| led_color(led) == Some(LedColor::RED))
    }
}

/// Whether an output record switches its output on.
fn switches_on(record: &OutputControl) -> bool {
    match record.code {
        OutputControlCode::TEMPORARY_ON => record.timer > 0,
        code => {
            code == OutputControlCode::PERMANENT_ON_ABORT_TIMED
                || code == OutputControlCode::PERMANENT_ON_AFTER_TIMED
        }
    }
}

/// The colour an LED record shows: its temporary colour when set, else its permanent.
fn led_color(led: &LedControl) -> Option<LedColor> {
    if led.temporary.code == TemporaryLedCode::SET {
        Some(led.temporary.on_color)
    } else if led.permanent.code == PermanentLedCode::SET {
        Some(led.permanent.on_color)
    } else {
        None
    }
}

/// `output 0 pulsed 3.0 s`, `output 0 on`, `output 0 off`.
fn output_text(record: &OutputControl) -> String {
    let output = record.output;
    if record.code == OutputControlCode::TEMPORARY_ON {
        let tenths = record.timer;
        format!("output {output} pulsed {}.{} s", tenths / 10, tenths % 10)
    } else if switches_on(record) {
        format!("output {output} on")
    } else if record.code == OutputControlCode::NOP {
        format!("output {output} unchanged")
    } else {
        format!("output {output} off")
    }
}

/// `LED green`.
fn led_text(led: &LedControl) -> Option<String> {
    let color = led_color(led)?;
    Some(format!(
        "LED {}",
        color.name().unwrap_or("of another colour")
    ))
}

/// `buzzer 2 beeps`, `buzzer on`, `buzzer off`.
fn buzzer_text(buzzer: &BuzzerControl) -> String {
    if buzzer.tone == ToneCode::OFF || buzzer.tone == ToneCode::NO_TONE {
        return "buzzer off".to_owned();
    }
    match buzzer.count {
        0 => "buzzer on".to_owned(),
        1 => "buzzer 1 beep".to_owned(),
        n => format!("buzzer {n} beeps"),
    }
}

impl fmt::Display for ControlPanelResponse {
    /// The commands, joined by ` · `; `nothing` when there were none.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .outputs
            .iter()
            .map(output_text)
            .chain(self.leds.iter().filter_map(led_text))
            .chain(self.buzzers.iter().map(buzzer_text))
            .collect();
        if parts.is_empty() {
            return f.write_str("nothing");
        }
        f.write_str(&parts.join(" · "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::osdp::command::{PermanentLed, TemporaryLed};

    fn led(color: LedColor) -> LedControl {
        LedControl {
            temporary: TemporaryLed {
                code: TemporaryLedCode::SET,
                on_time: 5,
                on_color: color,
                timer: 30,
                ..TemporaryLed::default()
            },
            permanent: PermanentLed::default(),
            ..LedControl::default()
        }
    }

    fn pulse(tenths: u16) -> OutputControl {
        OutputControl {
            output: 0,
            code: OutputControlCode::TEMPORARY_ON,
            timer: tenths,
        }
    }

    #[test]
    fn a_pulse_and_a_green_led_open() {
        let mut response = ControlPanelResponse::default();
        assert_eq!(response.to_string(), "nothing");
        assert!(response.record(&PeripheralEvent::Output(vec![pulse(30)])));
        assert!(response.record(&PeripheralEvent::Led(vec![led(LedColor::GREEN)])));
        assert!(!response.record(&PeripheralEvent::Offline));
        assert!(response.opened());
        assert!(!response.shows_red());
        assert_eq!(response.to_string(), "output 0 pulsed 3.0 s · LED green");
    }

    #[test]
    fn a_red_led_and_beeps_refuse() {
        let mut response = ControlPanelResponse::default();
        response.record(&PeripheralEvent::Led(vec![led(LedColor::RED)]));
        response.record(&PeripheralEvent::Buzzer(BuzzerControl {
            reader: 0,
            tone: ToneCode::DEFAULT,
            on_time: 2,
            off_time: 2,
            count: 2,
        }));
        assert!(!response.opened());
        assert!(response.shows_red());
        assert_eq!(response.to_string(), "LED red · buzzer 2 beeps");
        let zero_pulse = ControlPanelResponse {
            outputs: vec![pulse(0)],
            ..ControlPanelResponse::default()
        };
        assert!(!zero_pulse.opened());
    }
}
