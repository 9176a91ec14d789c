//! TODO(owner): profile mode of `rapport match assign --mentees --mentors`
