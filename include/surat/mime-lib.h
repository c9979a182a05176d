/*
 * mime-lib: GMime, loaded the first time a message is read rather than at
 * every start.  Linking it brought GIO, gpgme and eleven more shared objects
 * into every process, and `surat fetch` with nothing new, `surat --version`
 * and the reader's first screen never parse a message.
 *
 * Files that use GMime include this (through mime.h), never <gmime/gmime.h>
 * alone: below, each GMime function surat calls is a name for the function
 * the loaded library holds.  The linker keeps the list whole: GMime is not
 * linked, so a call to a function missing here does not link.  GIO's
 * g_content_type_* (an attachment's type, from shared-mime-info) come the
 * same way: GMime depends on GIO, and a symbol is looked up in the loaded
 * library's dependencies too, so GIO is not linked into every process either.
 *
 * mime_lib_load() says whether GMime could be loaded (and started:
 * g_mime_init); the commands and views call it before their first message,
 * so a missing or broken library is an error they report.  A call through
 * the names below loads it too, and ends the process if it cannot.
 */
#ifndef SURAT_MIME_LIB_H
#define SURAT_MIME_LIB_H

#include <stdbool.h>
#include <glib.h>
#include <gmime/gmime.h>

/* Every GMime function surat calls (X-macro). */
#define MIME_LIB_FUNCTIONS(X) \
	X(g_content_type_get_mime_type) \
	X(g_content_type_guess) \
	X(g_mime_charset_iconv_name) \
	X(g_mime_content_disposition_get_parameters) \
	X(g_mime_content_disposition_is_attachment) \
	X(g_mime_content_type_get_mime_type) \
	X(g_mime_content_type_get_parameters) \
	X(g_mime_content_type_is_type) \
	X(g_mime_data_wrapper_get_encoding) \
	X(g_mime_data_wrapper_get_stream) \
	X(g_mime_data_wrapper_new_with_stream) \
	X(g_mime_data_wrapper_write_to_stream) \
	X(g_mime_filter_basic_new) \
	X(g_mime_format_options_free) \
	X(g_mime_format_options_new) \
	X(g_mime_format_options_set_newline_format) \
	X(g_mime_format_options_set_param_encoding_method) \
	X(g_mime_header_get_name) \
	X(g_mime_header_get_offset) \
	X(g_mime_header_get_value) \
	X(g_mime_header_list_get_count) \
	X(g_mime_header_list_get_header_at) \
	X(g_mime_init) \
	X(g_mime_message_get_addresses) \
	X(g_mime_message_get_cc) \
	X(g_mime_message_get_date) \
	X(g_mime_message_get_from) \
	X(g_mime_message_get_message_id) \
	X(g_mime_message_get_mime_part) \
	X(g_mime_message_get_subject) \
	X(g_mime_message_get_to) \
	X(g_mime_message_get_type) \
	X(g_mime_message_new) \
	X(g_mime_message_part_get_message) \
	X(g_mime_message_part_get_type) \
	X(g_mime_message_part_new_with_message) \
	X(g_mime_message_partial_get_type) \
	X(g_mime_message_set_date) \
	X(g_mime_message_set_message_id) \
	X(g_mime_message_set_mime_part) \
	X(g_mime_message_set_subject) \
	X(g_mime_multipart_add) \
	X(g_mime_multipart_get_count) \
	X(g_mime_multipart_get_part) \
	X(g_mime_multipart_get_prologue) \
	X(g_mime_multipart_get_type) \
	X(g_mime_multipart_new_with_subtype) \
	X(g_mime_object_append_header) \
	X(g_mime_object_get_content_disposition) \
	X(g_mime_object_get_content_disposition_parameter) \
	X(g_mime_object_get_content_id) \
	X(g_mime_object_get_content_type) \
	X(g_mime_object_get_content_type_parameter) \
	X(g_mime_object_get_header) \
	X(g_mime_object_get_header_list) \
	X(g_mime_object_get_type) \
	X(g_mime_object_set_content_disposition_parameter) \
	X(g_mime_object_set_content_type_parameter) \
	X(g_mime_object_set_disposition) \
	X(g_mime_object_set_header) \
	X(g_mime_object_write_to_stream) \
	X(g_mime_param_list_get_parameter) \
	X(g_mime_param_set_charset) \
	X(g_mime_parser_construct_message) \
	X(g_mime_parser_new_with_stream) \
	X(g_mime_parser_options_free) \
	X(g_mime_parser_options_new) \
	X(g_mime_parser_options_set_address_compliance_mode) \
	X(g_mime_parser_options_set_allow_addresses_without_domain) \
	X(g_mime_parser_options_set_fallback_charsets) \
	X(g_mime_parser_options_set_parameter_compliance_mode) \
	X(g_mime_parser_options_set_rfc2047_compliance_mode) \
	X(g_mime_parser_set_format) \
	X(g_mime_part_get_best_content_encoding) \
	X(g_mime_part_get_content) \
	X(g_mime_part_get_filename) \
	X(g_mime_part_get_type) \
	X(g_mime_part_new_with_type) \
	X(g_mime_part_set_content) \
	X(g_mime_part_set_content_encoding) \
	X(g_mime_part_set_filename) \
	X(g_mime_references_free) \
	X(g_mime_references_get_message_id) \
	X(g_mime_references_length) \
	X(g_mime_references_parse) \
	X(g_mime_stream_filter_add) \
	X(g_mime_stream_filter_get_type) \
	X(g_mime_stream_filter_new) \
	X(g_mime_stream_fs_new) \
	X(g_mime_stream_length) \
	X(g_mime_stream_mem_get_byte_array) \
	X(g_mime_stream_mem_get_type) \
	X(g_mime_stream_mem_new) \
	X(g_mime_stream_mem_new_with_buffer) \
	X(g_mime_stream_mem_set_byte_array) \
	X(g_mime_stream_mem_set_owner) \
	X(g_mime_stream_null_get_type) \
	X(g_mime_stream_null_new) \
	X(g_mime_stream_pipe_get_type) \
	X(g_mime_stream_pipe_new) \
	X(g_mime_stream_pipe_set_owner) \
	X(g_mime_stream_read) \
	X(g_mime_stream_reset) \
	X(g_mime_stream_substream) \
	X(g_mime_stream_write_to_stream) \
	X(g_mime_text_part_get_type) \
	X(g_mime_text_part_new_with_subtype) \
	X(g_mime_text_part_set_charset) \
	X(g_mime_utils_generate_message_id) \
	X(g_mime_utils_header_decode_date) \
	X(g_mime_utils_header_format_date) \
	X(internet_address_get_name) \
	X(internet_address_get_type) \
	X(internet_address_group_get_members) \
	X(internet_address_group_get_type) \
	X(internet_address_list_add) \
	X(internet_address_list_append) \
	X(internet_address_list_get_address) \
	X(internet_address_list_length) \
	X(internet_address_list_new) \
	X(internet_address_list_parse) \
	X(internet_address_list_to_string) \
	X(internet_address_mailbox_get_addr) \
	X(internet_address_mailbox_get_type) \
	X(internet_address_mailbox_new) \
	X(internet_address_set_charset)

/* The loaded library's functions, by their own names. */
struct mime_lib {
#define MIME_LIB_POINTER(name) __typeof__(name) *name;
	MIME_LIB_FUNCTIONS(MIME_LIB_POINTER)
#undef MIME_LIB_POINTER
};

/*
 * Load and start GMime once (thread-safe).  False with ERROR when it cannot
 * be loaded: the message names the library and the package to reinstall.
 */
bool mime_lib_load(GError **error);

/* The loaded functions; loads GMime first if need be, and exits if it cannot. */
const struct mime_lib *mime_lib(void);

/* A GMime function by its name, from the loaded library. */
#define MIME_LIB(name) (mime_lib()->name)

#ifndef MIME_LIB_DEFINE
#define g_content_type_get_mime_type MIME_LIB(g_content_type_get_mime_type)
#define g_content_type_guess MIME_LIB(g_content_type_guess)
#define g_mime_charset_iconv_name MIME_LIB(g_mime_charset_iconv_name)
#define g_mime_content_disposition_get_parameters \
	MIME_LIB(g_mime_content_disposition_get_parameters)
#define g_mime_content_disposition_is_attachment MIME_LIB(g_mime_content_disposition_is_attachment)
#define g_mime_content_type_get_mime_type MIME_LIB(g_mime_content_type_get_mime_type)
#define g_mime_content_type_get_parameters MIME_LIB(g_mime_content_type_get_parameters)
#define g_mime_content_type_is_type MIME_LIB(g_mime_content_type_is_type)
#define g_mime_data_wrapper_get_encoding MIME_LIB(g_mime_data_wrapper_get_encoding)
#define g_mime_data_wrapper_get_stream MIME_LIB(g_mime_data_wrapper_get_stream)
#define g_mime_data_wrapper_new_with_stream MIME_LIB(g_mime_data_wrapper_new_with_stream)
#define g_mime_data_wrapper_write_to_stream MIME_LIB(g_mime_data_wrapper_write_to_stream)
#define g_mime_filter_basic_new MIME_LIB(g_mime_filter_basic_new)
#define g_mime_format_options_free MIME_LIB(g_mime_format_options_free)
#define g_mime_format_options_new MIME_LIB(g_mime_format_options_new)
#define g_mime_format_options_set_newline_format MIME_LIB(g_mime_format_options_set_newline_format)
#define g_mime_format_options_set_param_encoding_method \
	MIME_LIB(g_mime_format_options_set_param_encoding_method)
#define g_mime_header_get_name MIME_LIB(g_mime_header_get_name)
#define g_mime_header_get_offset MIME_LIB(g_mime_header_get_offset)
#define g_mime_header_get_value MIME_LIB(g_mime_header_get_value)
#define g_mime_header_list_get_count MIME_LIB(g_mime_header_list_get_count)
#define g_mime_header_list_get_header_at MIME_LIB(g_mime_header_list_get_header_at)
#define g_mime_init MIME_LIB(g_mime_init)
#define g_mime_message_get_addresses MIME_LIB(g_mime_message_get_addresses)
#define g_mime_message_get_cc MIME_LIB(g_mime_message_get_cc)
#define g_mime_message_get_date MIME_LIB(g_mime_message_get_date)
#define g_mime_message_get_from MIME_LIB(g_mime_message_get_from)
#define g_mime_message_get_message_id MIME_LIB(g_mime_message_get_message_id)
#define g_mime_message_get_mime_part MIME_LIB(g_mime_message_get_mime_part)
#define g_mime_message_get_subject MIME_LIB(g_mime_message_get_subject)
#define g_mime_message_get_to MIME_LIB(g_mime_message_get_to)
#define g_mime_message_get_type MIME_LIB(g_mime_message_get_type)
#define g_mime_message_new MIME_LIB(g_mime_message_new)
#define g_mime_message_part_get_message MIME_LIB(g_mime_message_part_get_message)
#define g_mime_message_part_get_type MIME_LIB(g_mime_message_part_get_type)
#define g_mime_message_part_new_with_message MIME_LIB(g_mime_message_part_new_with_message)
#define g_mime_message_partial_get_type MIME_LIB(g_mime_message_partial_get_type)
#define g_mime_message_set_date MIME_LIB(g_mime_message_set_date)
#define g_mime_message_set_message_id MIME_LIB(g_mime_message_set_message_id)
#define g_mime_message_set_mime_part MIME_LIB(g_mime_message_set_mime_part)
#define g_mime_message_set_subject MIME_LIB(g_mime_message_set_subject)
#define g_mime_multipart_add MIME_LIB(g_mime_multipart_add)
#define g_mime_multipart_get_count MIME_LIB(g_mime_multipart_get_count)
#define g_mime_multipart_get_part MIME_LIB(g_mime_multipart_get_part)
#define g_mime_multipart_get_prologue MIME_LIB(g_mime_multipart_get_prologue)
#define g_mime_multipart_get_type MIME_LIB(g_mime_multipart_get_type)
#define g_mime_multipart_new_with_subtype MIME_LIB(g_mime_multipart_new_with_subtype)
#define g_mime_object_append_header MIME_LIB(g_mime_object_append_header)
#define g_mime_object_get_content_disposition MIME_LIB(g_mime_object_get_content_disposition)
#define g_mime_object_get_content_disposition_parameter \
	MIME_LIB(g_mime_object_get_content_disposition_parameter)
#define g_mime_object_get_content_id MIME_LIB(g_mime_object_get_content_id)
#define g_mime_object_get_content_type MIME_LIB(g_mime_object_get_content_type)
#define g_mime_object_get_content_type_parameter MIME_LIB(g_mime_object_get_content_type_parameter)
#define g_mime_object_get_header MIME_LIB(g_mime_object_get_header)
#define g_mime_object_get_header_list MIME_LIB(g_mime_object_get_header_list)
#define g_mime_object_get_type MIME_LIB(g_mime_object_get_type)
#define g_mime_object_set_content_disposition_parameter \
	MIME_LIB(g_mime_object_set_content_disposition_parameter)
#define g_mime_object_set_content_type_parameter MIME_LIB(g_mime_object_set_content_type_parameter)
#define g_mime_object_set_disposition MIME_LIB(g_mime_object_set_disposition)
#define g_mime_object_set_header MIME_LIB(g_mime_object_set_header)
#define g_mime_object_write_to_stream MIME_LIB(g_mime_object_write_to_stream)
#define g_mime_param_list_get_parameter MIME_LIB(g_mime_param_list_get_parameter)
#define g_mime_param_set_charset MIME_LIB(g_mime_param_set_charset)
#define g_mime_parser_construct_message MIME_LIB(g_mime_parser_construct_message)
#define g_mime_parser_new_with_stream MIME_LIB(g_mime_parser_new_with_stream)
#define g_mime_parser_options_free MIME_LIB(g_mime_parser_options_free)
#define g_mime_parser_options_new MIME_LIB(g_mime_parser_options_new)
#define g_mime_parser_options_set_address_compliance_mode \
	MIME_LIB(g_mime_parser_options_set_address_compliance_mode)
#define g_mime_parser_options_set_allow_addresses_without_domain \
	MIME_LIB(g_mime_parser_options_set_allow_addresses_without_domain)
#define g_mime_parser_options_set_fallback_charsets \
	MIME_LIB(g_mime_parser_options_set_fallback_charsets)
#define g_mime_parser_options_set_parameter_compliance_mode \
	MIME_LIB(g_mime_parser_options_set_parameter_compliance_mode)
#define g_mime_parser_options_set_rfc2047_compliance_mode \
	MIME_LIB(g_mime_parser_options_set_rfc2047_compliance_mode)
#define g_mime_parser_set_format MIME_LIB(g_mime_parser_set_format)
#define g_mime_part_get_best_content_encoding MIME_LIB(g_mime_part_get_best_content_encoding)
#define g_mime_part_get_content MIME_LIB(g_mime_part_get_content)
#define g_mime_part_get_filename MIME_LIB(g_mime_part_get_filename)
#define g_mime_part_get_type MIME_LIB(g_mime_part_get_type)
#define g_mime_part_new_with_type MIME_LIB(g_mime_part_new_with_type)
#define g_mime_part_set_content MIME_LIB(g_mime_part_set_content)
#define g_mime_part_set_content_encoding MIME_LIB(g_mime_part_set_content_encoding)
#define g_mime_part_set_filename MIME_LIB(g_mime_part_set_filename)
#define g_mime_references_free MIME_LIB(g_mime_references_free)
#define g_mime_references_get_message_id MIME_LIB(g_mime_references_get_message_id)
#define g_mime_references_length MIME_LIB(g_mime_references_length)
#define g_mime_references_parse MIME_LIB(g_mime_references_parse)
#define g_mime_stream_filter_add MIME_LIB(g_mime_stream_filter_add)
#define g_mime_stream_filter_get_type MIME_LIB(g_mime_stream_filter_get_type)
#define g_mime_stream_filter_new MIME_LIB(g_mime_stream_filter_new)
#define g_mime_stream_fs_new MIME_LIB(g_mime_stream_fs_new)
#define g_mime_stream_length MIME_LIB(g_mime_stream_length)
#define g_mime_stream_mem_get_byte_array MIME_LIB(g_mime_stream_mem_get_byte_array)
#define g_mime_stream_mem_get_type MIME_LIB(g_mime_stream_mem_get_type)
#define g_mime_stream_mem_new MIME_LIB(g_mime_stream_mem_new)
#define g_mime_stream_mem_new_with_buffer MIME_LIB(g_mime_stream_mem_new_with_buffer)
#define g_mime_stream_mem_set_byte_array MIME_LIB(g_mime_stream_mem_set_byte_array)
#define g_mime_stream_mem_set_owner MIME_LIB(g_mime_stream_mem_set_owner)
#define g_mime_stream_null_get_type MIME_LIB(g_mime_stream_null_get_type)
#define g_mime_stream_null_new MIME_LIB(g_mime_stream_null_new)
#define g_mime_stream_pipe_get_type MIME_LIB(g_mime_stream_pipe_get_type)
#define g_mime_stream_pipe_new MIME_LIB(g_mime_stream_pipe_new)
#define g_mime_stream_pipe_set_owner MIME_LIB(g_mime_stream_pipe_set_owner)
#define g_mime_stream_read MIME_LIB(g_mime_stream_read)
#define g_mime_stream_reset MIME_LIB(g_mime_stream_reset)
#define g_mime_stream_substream MIME_LIB(g_mime_stream_substream)
#define g_mime_stream_write_to_stream MIME_LIB(g_mime_stream_write_to_stream)
#define g_mime_text_part_get_type MIME_LIB(g_mime_text_part_get_type)
#define g_mime_text_part_new_with_subtype MIME_LIB(g_mime_text_part_new_with_subtype)
#define g_mime_text_part_set_charset MIME_LIB(g_mime_text_part_set_charset)
#define g_mime_utils_generate_message_id MIME_LIB(g_mime_utils_generate_message_id)
#define g_mime_utils_header_decode_date MIME_LIB(g_mime_utils_header_decode_date)
#define g_mime_utils_header_format_date MIME_LIB(g_mime_utils_header_format_date)
#define internet_address_get_name MIME_LIB(internet_address_get_name)
#define internet_address_get_type MIME_LIB(internet_address_get_type)
#define internet_address_group_get_members MIME_LIB(internet_address_group_get_members)
#define internet_address_group_get_type MIME_LIB(internet_address_group_get_type)
#define internet_address_list_add MIME_LIB(internet_address_list_add)
#define internet_address_list_append MIME_LIB(internet_address_list_append)
#define internet_address_list_get_address MIME_LIB(internet_address_list_get_address)
#define internet_address_list_length MIME_LIB(internet_address_list_length)
#define internet_address_list_new MIME_LIB(internet_address_list_new)
#define internet_address_list_parse MIME_LIB(internet_address_list_parse)
#define internet_address_list_to_string MIME_LIB(internet_address_list_to_string)
#define internet_address_mailbox_get_addr MIME_LIB(internet_address_mailbox_get_addr)
#define internet_address_mailbox_get_type MIME_LIB(internet_address_mailbox_get_type)
#define internet_address_mailbox_new MIME_LIB(internet_address_mailbox_new)
#define internet_address_set_charset MIME_LIB(internet_address_set_charset)
#endif

#endif
